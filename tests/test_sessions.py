"""Login sessions: every login starts one, refreshes continue it, and ending one (or all) ends
its access and refresh tokens at once."""

import io
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from ninja.conf import settings as ninja_settings

from django_catgram.models import LoginSession
from tests.conftest import PASSWORD, Api, link_in_mail
from tests.test_auth import forge

CREDENTIALS = {"username": "alice", "password": PASSWORD}


def log_in(anonymous, path="auth/token", user_agent="Phone/1.0", credentials=CREDENTIALS):
    """A login through ``path``: (access token, refresh token or None)."""
    response = anonymous.client.post(
        f"/api/{path}", credentials, content_type="application/json", HTTP_USER_AGENT=user_agent
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    return body.get("token") or body.get("access") or body["auth_token"], body.get("refresh")


def refresh(anonymous, refresh_token):
    return anonymous.post("auth/token/refresh", {"refresh": refresh_token})


def works(anonymous, access):
    return Api(anonymous.client, access).get("users/me/").status_code == 200


def sessions_of(anonymous, access):
    response = Api(anonymous.client, access).get("auth/sessions/")
    assert response.status_code == 200, response.json()
    return response.json()


def test_every_login_starts_a_session_that_lists_where_it_came_from(anonymous, alice):
    phone, _ = log_in(anonymous, user_agent="Phone/1.0")
    log_in(anonymous, "token/login/", user_agent="Laptop/2.0")
    log_in(anonymous, "auth/jwt/create/", user_agent="Tablet/3.0")
    page = sessions_of(anonymous, phone)
    assert (page["count"], page["next"], page["previous"]) == (3, None, None)
    agents = [(row["user_agent"], row["current"], row["ip"]) for row in page["results"]]
    # The most recently used first; "current" is the session of the token presented.
    assert agents == [
        ("Tablet/3.0", False, "127.0.0.1"),
        ("Laptop/2.0", False, "127.0.0.1"),
        ("Phone/1.0", True, "127.0.0.1"),
    ]
    first = page["results"][-1]
    assert set(first) == {"id", "created", "last_used", "user_agent", "ip", "current"}
    assert first["created"] == first["last_used"]


def test_a_refresh_continues_its_session(anonymous, alice):
    access, refresh_token = log_in(anonymous)
    [before] = sessions_of(anonymous, access)["results"]
    renewed = refresh(anonymous, refresh_token).json()
    [after] = sessions_of(anonymous, renewed["token"])["results"]
    assert (after["id"], after["created"]) == (before["id"], before["created"])
    assert after["last_used"] > before["last_used"]
    assert after["current"] and works(anonymous, access)  # the old access token still works


@override_settings(CATGRAM={"THROTTLE_RATES": {"login_username": "100/min"}})
def test_the_list_is_paginated_like_users(anonymous, alice):
    tokens = [log_in(anonymous)[0] for _ in range(11)]
    first = sessions_of(anonymous, tokens[0])
    assert (first["count"], len(first["results"])) == (11, 10)
    assert first["next"] == "http://testserver/api/auth/sessions/?page=2"
    second = Api(anonymous.client, tokens[0]).get("auth/sessions/", "page=2").json()
    assert [row["current"] for row in second["results"]] == [True]
    assert Api(anonymous.client, tokens[0]).get("auth/sessions/", "page=3").status_code == 404


def test_only_the_callers_own_sessions_are_listed(anonymous, alice, bob):
    log_in(anonymous, credentials={"username": "bob", "password": PASSWORD})
    access, _ = log_in(anonymous)
    assert sessions_of(anonymous, access)["count"] == 1


def test_ending_a_session_from_another_device_ends_its_tokens(anonymous, alice):
    phone_access, phone_refresh = log_in(anonymous, user_agent="Phone/1.0")
    laptop_access, laptop_refresh = log_in(anonymous, user_agent="Laptop/2.0")
    phone = next(
        row for row in sessions_of(anonymous, laptop_access)["results"] if not row["current"]
    )
    ended = Api(anonymous.client, laptop_access).delete(f"auth/sessions/{phone['id']}/")
    assert (ended.status_code, ended.content) == (204, b"")
    assert not works(anonymous, phone_access)
    assert refresh(anonymous, phone_refresh).status_code == 401  # the phone's next refresh
    assert works(anonymous, laptop_access)
    assert refresh(anonymous, laptop_refresh).status_code == 200
    again = Api(anonymous.client, laptop_access).delete(f"auth/sessions/{phone['id']}/")
    assert again.status_code == 404


@pytest.mark.parametrize("session", ["other", "999999", str(2**63), str(10**40), "-1", "abc"])
def test_a_session_that_is_not_the_callers_is_404(anonymous, alice, bob, session):
    bobs_access, _ = log_in(anonymous, credentials={"username": "bob", "password": PASSWORD})
    bobs = sessions_of(anonymous, bobs_access)["results"][0]["id"]
    access, _ = log_in(anonymous)
    path = f"auth/sessions/{bobs if session == 'other' else session}/"
    response = Api(anonymous.client, access).delete(path)
    assert (response.status_code, response.json()) == (404, {"detail": "Not found."})
    assert works(anonymous, bobs_access)


def test_logout_all_ends_every_token_of_every_session_and_only_the_callers(anonymous, alice, bob):
    logins = [
        log_in(anonymous, "auth/token"),
        log_in(anonymous, "auth/jwt/create/"),
        log_in(anonymous, "token/login/"),
    ]
    renewed = refresh(anonymous, logins[0][1]).json()  # a refreshed pair too
    logins.append((renewed["token"], renewed["refresh"]))
    bobs_access, bobs_refresh = log_in(
        anonymous, credentials={"username": "bob", "password": PASSWORD}
    )
    response = Api(anonymous.client, logins[0][0]).post("auth/logout_all")
    assert (response.status_code, response.content) == (204, b"")
    for access, refresh_token in logins:
        assert Api(anonymous.client, access).get("users/me/").status_code == 401
        assert Api(anonymous.client, access, "Token").get("users/me/").status_code == 401
        assert anonymous.post("auth/token/verify", {"token": access}).status_code == 401
        if refresh_token:
            assert refresh(anonymous, refresh_token).status_code == 401
            assert anonymous.post("auth/jwt/verify/", {"token": refresh_token}).status_code == 401
    assert works(anonymous, bobs_access)
    assert refresh(anonymous, bobs_refresh).status_code == 200
    assert LoginSession.objects.filter(user=alice).count() == 0


def test_logout_all_needs_a_login(anonymous):
    assert anonymous.post("auth/logout_all").status_code == 401
    assert anonymous.get("auth/sessions/").status_code == 401


def test_token_logout_ends_the_refresh_token_of_the_same_login(anonymous, alice):
    access, refresh_token = log_in(anonymous)
    other_access, _ = log_in(anonymous)
    assert Api(anonymous.client, access).post("token/logout/").status_code == 204
    assert refresh(anonymous, refresh_token).status_code == 401
    assert works(anonymous, other_access)


def test_blacklisting_a_refresh_token_ends_its_access_tokens_too(anonymous, alice):
    access, refresh_token = log_in(anonymous)
    response = anonymous.post("auth/token/blacklist", {"refresh": refresh_token})
    assert response.status_code == 204
    assert not works(anonymous, access)


def test_a_password_change_ends_every_session(anonymous, alice):
    access, _ = log_in(anonymous)
    log_in(anonymous)
    body = {"current_password": PASSWORD, "new_password": "another-Pa55word"}
    assert Api(anonymous.client, access).post("users/set_password/", body).status_code == 204
    assert LoginSession.objects.filter(user=alice).count() == 0


def test_expired_sessions_are_not_listed_and_the_sweep_removes_them(anonymous, alice):
    with override_settings(CATGRAM={"REFRESH_TOKEN_LIFETIME": timedelta(0)}):
        log_in(anonymous)
    access, _ = log_in(anonymous)
    assert sessions_of(anonymous, access)["count"] == 1
    assert LoginSession.objects.count() == 2
    call_command("catgram_sweep", "--dry-run", stdout=io.StringIO())
    assert LoginSession.objects.count() == 2
    out = io.StringIO()
    call_command("catgram_sweep", stdout=out)
    assert "and 1 expired login sessions" in out.getvalue()
    assert LoginSession.objects.count() == 1


def test_a_token_naming_another_users_session_is_refused(anonymous, alice, bob):
    bobs_access, _ = log_in(anonymous, credentials={"username": "bob", "password": PASSWORD})
    bobs = sessions_of(anonymous, bobs_access)["results"][0]["id"]
    access, _ = log_in(anonymous)
    forged = forge(access, key=settings.SECRET_KEY, sid=bobs)
    assert Api(anonymous.client, forged).get("users/me/").status_code == 401


@pytest.mark.parametrize("sid", [None, "1", 1.0, True, 0, -1, 2**63, 10**40, [1]])
def test_a_token_without_a_session_id_is_refused(anonymous, alice, sid):
    """As one from before sessions, or of another app signed with the same key, would be."""
    access, refresh_token = log_in(anonymous)
    assert not works(anonymous, forge(access, key=settings.SECRET_KEY, sid=sid))
    forged_refresh = forge(refresh_token, key=settings.SECRET_KEY, sid=sid)
    assert refresh(anonymous, forged_refresh).status_code == 401


@pytest.mark.parametrize("path", ["auth/token", "token/login/", "auth/jwt/create/"])
def test_every_api_login_sets_last_login(anonymous, alice, path):
    assert alice.last_login is None
    log_in(anonymous, path)
    alice.refresh_from_db()
    assert alice.last_login is not None


def test_a_password_reset_link_is_refused_after_a_login(anonymous, alice):
    assert anonymous.post("users/reset_password/", {"email": "alice@example.com"}).status_code
    link = link_in_mail(mail.outbox[0])
    log_in(anonymous)
    body = {**link, "new_password": "another-Pa55word"}
    response = anonymous.post("users/reset_password_confirm/", body)
    assert (response.status_code, response.json()) == (
        400,
        {"token": ["Invalid token for given user."]},
    )
    assert get_user_model().objects.get(pk=alice.pk).check_password(PASSWORD)


def test_a_session_keeps_a_long_user_agent_cut_and_an_odd_address_empty(
    anonymous, alice, monkeypatch
):
    access, _ = log_in(anonymous, user_agent="x" * 1000)
    [row] = sessions_of(anonymous, access)["results"]
    assert row["user_agent"] == "x" * 256
    monkeypatch.setattr(ninja_settings, "NUM_PROXIES", 1)  # read once by Ninja
    response = anonymous.client.post(
        "/api/auth/token",
        CREDENTIALS,
        content_type="application/json",
        HTTP_X_FORWARDED_FOR="not an address",
    )
    assert response.status_code == 200
    rows = sessions_of(anonymous, response.json()["token"])["results"]
    assert rows[0]["current"] and rows[0]["ip"] is None


@pytest.mark.parametrize(
    ("path", "key"),
    [
        ("auth/token/refresh", "refresh"),
        ("auth/token/verify", "token"),
        ("auth/token/blacklist", "refresh"),
        ("auth/jwt/refresh/", "refresh"),
        ("auth/jwt/verify/", "token"),
    ],
)
def test_a_bad_token_in_a_body_gets_simplejwts_401(anonymous, alice, path, key):
    access, refresh_token = log_in(anonymous)
    assert Api(anonymous.client, access).post("auth/logout_all").status_code == 204
    for token in ("forged", access if key == "token" else refresh_token):
        response = anonymous.post(path, {key: token})
        assert (response.status_code, response.json()) == (
            401,
            {"detail": "Token is invalid or expired", "code": "token_not_valid"},
        )


def test_djosers_jwt_layout_logs_in_refreshes_and_verifies(anonymous, alice):
    created = anonymous.post("auth/jwt/create/", CREDENTIALS)
    assert set(created.json()) == {"access", "refresh"}
    refreshed = anonymous.post("auth/jwt/refresh/", {"refresh": created.json()["refresh"]})
    assert set(refreshed.json()) == {"access", "refresh"}
    assert (
        anonymous.post("auth/jwt/refresh/", {"refresh": created.json()["refresh"]}).status_code
        == 401
    )
    for token in refreshed.json().values():
        assert anonymous.post("auth/jwt/verify/", {"token": token}).json() == {}
    assert works(anonymous, refreshed.json()["access"])
    wrong = anonymous.post("auth/jwt/create/", {"username": "alice", "password": "wrong"})
    assert (wrong.status_code, wrong.json()) == (
        401,
        {"detail": "No active account found with the given credentials"},
    )
