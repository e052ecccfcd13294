"""Rate limits: 429 with Retry-After and {"detail"}, counted in Django's cache."""

from urllib.parse import urlencode

import pytest
from django.contrib.auth import get_user_model
from django.test import override_settings
from ninja.conf import settings as ninja_settings

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def limits(**rates):
    return override_settings(CATGRAM={"THROTTLE_RATES": rates})


def assert_throttled(response):
    assert response.status_code == 429
    assert set(response.json()) == {"detail"}
    assert int(response["Retry-After"]) > 0


def log_in(anonymous, username, password="wrong", path="auth/token", **headers):
    return anonymous.client.post(
        f"/api/{path}",
        {"username": username, "password": password},
        content_type="application/json",
        headers=headers,
    )


def test_logins_are_limited_per_username_whatever_the_address(anonymous, alice):
    with limits(login_username="3/min"):
        for address in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
            response = anonymous.client.post(
                "/api/auth/token",
                {"username": "alice", "password": "wrong"},
                content_type="application/json",
                REMOTE_ADDR=address,
            )
            assert response.status_code == 401
        assert_throttled(log_in(anonymous, "alice", PASSWORD))
        assert_throttled(log_in(anonymous, " ALICE ", PASSWORD, path="token/login/"))
        assert log_in(anonymous, "bob").status_code == 401


def test_logins_are_limited_per_address_across_both_login_endpoints(anonymous, alice):
    with limits(login_address="2/min"):
        assert log_in(anonymous, "alice").status_code == 401
        assert log_in(anonymous, "bob", path="token/login/").status_code == 400
        assert_throttled(log_in(anonymous, "carol"))
        assert_throttled(log_in(anonymous, "alice", PASSWORD, path="token/login"))


def test_a_forged_forwarded_for_header_does_not_give_a_new_address(anonymous):
    with limits(login_address="1/min"):
        assert log_in(anonymous, "a", **{"X-Forwarded-For": "1.1.1.1"}).status_code == 401
        assert_throttled(log_in(anonymous, "b", **{"X-Forwarded-For": "2.2.2.2"}))


def test_registration_is_limited_per_address(anonymous):
    with limits(registration="2/hour"):
        for name in ("carol", "dave"):
            assert (
                anonymous.post("users/", {"username": name, "password": PASSWORD}).status_code
                == 201
            )
        response = anonymous.post("users/", {"username": "erin", "password": PASSWORD})
        assert_throttled(response)
    assert not get_user_model().objects.filter(username="erin").exists()


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("users/reset_password/", {"email": "a@example.com"}),
        ("users/reset_password_confirm/", {"uid": "x", "token": "y", "new_password": "z"}),
        ("users/reset_username/", {"email": "a@example.com"}),
        ("users/reset_username_confirm/", {"uid": "x", "token": "y", "new_username": "z"}),
        ("users/activation/", {"uid": "x", "token": "y"}),
        ("users/resend_activation/", {"email": "a@example.com"}),
    ],
)
def test_reset_and_activation_endpoints_share_one_limit_per_address(anonymous, path, body):
    with limits(reset="2/hour"):
        anonymous.post("users/reset_password/", {"email": "a@example.com"})
        assert anonymous.post(path, body).status_code != 429
        assert_throttled(anonymous.post(path, body))


def test_the_default_limits_are_those_of_the_contract(anonymous, alice):
    for _ in range(10):
        assert log_in(anonymous, "alice").status_code == 401
    assert_throttled(log_in(anonymous, "alice", PASSWORD))


@pytest.mark.parametrize("multipart", [False, True])
def test_the_admin_login_counts_against_the_api_login_limit_per_username(client, alice, multipart):
    def guess(password):
        form = {"username": "alice", "password": password}
        if multipart:
            return client.post("/admin/login/", form)
        return client.post(
            "/admin/login/", urlencode(form), content_type="application/x-www-form-urlencoded"
        )

    with override_settings(CATGRAM={"THROTTLE_RATES": {"login_username": "3/min"}}):
        assert [guess("wrong").status_code for _ in range(4)] == [200, 200, 200, 429]
        refused = guess(PASSWORD)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0


def test_behind_a_known_proxy_the_forwarded_address_is_the_clients(anonymous, monkeypatch):
    """NINJA_NUM_PROXIES (read once by Ninja, so set on its settings object here)."""
    monkeypatch.setattr(ninja_settings, "NUM_PROXIES", 1)
    with limits(login_address="1/min"):
        forwarded = {"X-Forwarded-For": "6.6.6.6, 1.1.1.1"}  # a forged entry, then the proxy's
        assert log_in(anonymous, "a", **forwarded).status_code == 401
        assert log_in(anonymous, "b", **{"X-Forwarded-For": "2.2.2.2"}).status_code == 401
        assert_throttled(log_in(anonymous, "c", **{"X-Forwarded-For": "6.6.6.6, 2.2.2.2"}))


@pytest.mark.parametrize("forwarded", ["not an address", "1.1.1.1 , x y", "", "::1\x00"])
def test_a_proxy_header_that_names_no_address_is_counted_not_a_cache_failure(
    anonymous, monkeypatch, forwarded
):
    """No cache key made of a client's text (memcached refuses spaces and control bytes, and
    a failing cache would refuse every login for a while)."""
    monkeypatch.setattr(ninja_settings, "NUM_PROXIES", 1)
    with limits(login_address="1/min"):
        assert log_in(anonymous, "a", **{"X-Forwarded-For": forwarded}).status_code == 401
        assert_throttled(log_in(anonymous, "b", **{"X-Forwarded-For": forwarded}))
    assert log_in(anonymous, "c", **{"X-Forwarded-For": "3.3.3.3"}).status_code == 401


def test_reading_the_admin_login_page_counts_no_guess(client):
    with override_settings(CATGRAM={"THROTTLE_RATES": {"login_address": "1/min"}}):
        assert [client.get("/admin/login/").status_code for _ in range(3)] == [200] * 3
