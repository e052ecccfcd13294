import time
from datetime import timedelta

import jwt
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client, override_settings

from tests.conftest import PASSWORD, Api

pytestmark = pytest.mark.django_db


def obtain(anonymous, username="alice", password=PASSWORD, path="auth/token"):
    return anonymous.post(path, {"username": username, "password": password})


@pytest.mark.parametrize("path", ["auth/token", "auth/token/"])
def test_auth_token_gives_an_access_and_refresh_token(anonymous, alice, path):
    response = obtain(anonymous, path=path)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "refresh", "expires_in"}
    assert body["expires_in"] == 24 * 60 * 60
    assert Api(anonymous.client, body["token"]).get("users/me/").json()["id"] == alice.pk


@pytest.mark.parametrize(
    ("username", "password"), [("alice", "wrong"), ("nobody", PASSWORD), ("", "")]
)
def test_bad_credentials_are_401(anonymous, alice, username, password):
    response = obtain(anonymous, username, password)
    assert response.status_code == 401
    assert response.json() == {"detail": "No active account found with the given credentials"}


def test_an_inactive_user_cannot_log_in(anonymous, make_user):
    make_user("sleepy", is_active=False)
    assert obtain(anonymous, "sleepy").status_code == 401


@pytest.mark.parametrize("missing", ["username", "password"])
def test_a_missing_field_is_400_on_that_field(anonymous, alice, missing):
    body = {"username": "alice", "password": PASSWORD}
    del body[missing]
    response = anonymous.post("auth/token", body)
    assert response.status_code == 400
    assert response.json() == {missing: ["This field is required."]}


def test_lifetimes_come_from_settings(anonymous, alice):
    with override_settings(CATGRAM={"ACCESS_TOKEN_LIFETIME": timedelta(minutes=5)}):
        body = obtain(anonymous).json()
    assert body["expires_in"] == 300
    claims = jwt.decode(body["token"], options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == 300
    refresh = jwt.decode(body["refresh"], options={"verify_signature": False})
    assert refresh["exp"] - refresh["iat"] == 7 * 24 * 60 * 60


@pytest.mark.parametrize("scheme", ["Bearer", "Token"])
def test_both_schemes_are_accepted(anonymous, alice, scheme):
    token = obtain(anonymous).json()["token"]
    assert Api(anonymous.client, token, scheme).get("users/me/").status_code == 200


@pytest.mark.parametrize(
    "header", ["bearer {token}", "TOKEN {token}", "Bearer\t{token}", "Bearer   {token}  "]
)
def test_the_scheme_is_a_word_of_any_case_before_any_space(anonymous, alice, header):
    """RFC 9110 (11.1): an authentication scheme is case-insensitive; DRF's TokenAuthentication
    takes ``token`` too, and simplejwt splits the header on any whitespace."""
    token = obtain(anonymous).json()["token"]
    response = anonymous.client.get(
        "/api/users/me/", headers={"Authorization": header.format(token=token)}
    )
    assert response.status_code == 200


def test_a_header_with_more_than_a_scheme_and_a_token_is_401(anonymous, alice):
    token = obtain(anonymous).json()["token"]
    refused(anonymous, f"{token} {token}")


@pytest.mark.parametrize("header", ["", "Bearer", "Bearer ", "Basic abc", "JWT {token}", "{token}"])
def test_a_missing_or_foreign_authorization_header_is_401(anonymous, alice, header):
    token = obtain(anonymous).json()["token"]
    response = anonymous.client.get(
        "/api/users/me/", headers={"Authorization": header.format(token=token)}
    )
    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication credentials were not provided."}
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_the_scheme_words_are_a_setting(anonymous, alice):
    token = obtain(anonymous).json()["token"]
    with override_settings(CATGRAM={"AUTH_HEADER_TYPES": ["JWT"]}):
        assert Api(anonymous.client, token, "JWT").get("users/me/").status_code == 200
        assert Api(anonymous.client, token, "Bearer").get("users/me/").status_code == 401


def forge(token, key="not-the-secret-but-just-as-long-as-one", algorithm="HS256", **changes):
    claims = {**jwt.decode(token, options={"verify_signature": False}), **changes}
    return jwt.encode(claims, key, algorithm=algorithm)


def refused(anonymous, token, scheme="Bearer"):
    response = Api(anonymous.client, token, scheme).get("users/me/")
    assert response.status_code == 401, response.json()
    assert response["WWW-Authenticate"].startswith("Bearer")
    return response.json()


def test_a_forged_signature_is_refused(anonymous, alice):
    token = obtain(anonymous).json()["token"]
    assert refused(anonymous, forge(token)) == {
        "detail": "Given token not valid for any token type"
    }


def test_alg_none_is_refused(anonymous, alice):
    token = obtain(anonymous).json()["token"]
    refused(anonymous, forge(token, key=None, algorithm="none"))


def test_a_token_for_another_user_id_signed_with_another_key_is_refused(anonymous, alice, bob):
    token = obtain(anonymous).json()["token"]
    refused(anonymous, forge(token, user_id=bob.pk))


def test_an_expired_token_is_refused(anonymous, alice):
    # Three seconds: "exp" is whole seconds, so the token is valid for two at least, time
    # enough for its first use on a busy machine.
    with override_settings(CATGRAM={"ACCESS_TOKEN_LIFETIME": timedelta(seconds=3)}):
        token = obtain(anonymous).json()["token"]
    assert Api(anonymous.client, token).get("users/me/").status_code == 200
    expires = jwt.decode(token, options={"verify_signature": False})["exp"]
    time.sleep(max(0, expires + 1 - time.time()))
    refused(anonymous, token)


def test_a_refresh_token_is_no_access_token(anonymous, alice):
    refresh = obtain(anonymous).json()["refresh"]
    refused(anonymous, refresh)


def test_garbage_is_refused(anonymous, alice):
    refused(anonymous, "not.a.jwt")
    refused(anonymous, "x" * 5000)


def test_refresh_rotates_and_the_old_refresh_token_stops_working(anonymous, alice):
    first = obtain(anonymous).json()
    response = anonymous.post("auth/token/refresh", {"refresh": first["refresh"]})
    assert response.status_code == 200
    second = response.json()
    assert set(second) == {"token", "refresh", "expires_in"}
    assert second["refresh"] != first["refresh"]
    assert Api(anonymous.client, second["token"]).get("users/me/").status_code == 200
    reused = anonymous.post("auth/token/refresh", {"refresh": first["refresh"]})
    assert reused.status_code == 401
    assert "detail" in reused.json()
    assert anonymous.post("auth/token/refresh", {"refresh": second["refresh"]}).status_code == 200


@pytest.mark.parametrize("kind", ["access", "forged", "garbage"])
def test_refresh_refuses_what_is_not_a_good_refresh_token(anonymous, alice, kind):
    pair = obtain(anonymous).json()
    token = {
        "access": pair["token"],
        "forged": forge(pair["refresh"]),
        "garbage": "abc",
    }[kind]
    assert anonymous.post("auth/token/refresh", {"refresh": token}).status_code == 401


def test_refresh_of_a_deactivated_user_is_refused(anonymous, alice):
    refresh = obtain(anonymous).json()["refresh"]
    get_user_model().objects.filter(pk=alice.pk).update(is_active=False)
    assert anonymous.post("auth/token/refresh", {"refresh": refresh}).status_code == 401


def test_verify_accepts_good_tokens_and_refuses_bad_ones(anonymous, alice):
    pair = obtain(anonymous).json()
    for token in (pair["token"], pair["refresh"]):
        response = anonymous.post("auth/token/verify", {"token": token})
        assert response.status_code == 200
        assert response.json() == {}
    for token in (forge(pair["token"]), "abc", forge(pair["token"], key=None, algorithm="none")):
        response = anonymous.post("auth/token/verify", {"token": token})
        assert response.status_code == 401
        assert "detail" in response.json()


def test_a_blacklisted_refresh_token_stops_working(anonymous, alice):
    refresh = obtain(anonymous).json()["refresh"]
    response = anonymous.post("auth/token/blacklist", {"refresh": refresh})
    assert response.status_code == 204
    assert response.content == b""
    assert anonymous.post("auth/token/refresh", {"refresh": refresh}).status_code == 401
    assert anonymous.post("auth/token/verify", {"token": refresh}).status_code == 401
    assert anonymous.post("auth/token/blacklist", {"refresh": refresh}).status_code == 401


@pytest.mark.parametrize("path", ["token/login/", "token/login"])
def test_djoser_login_gives_an_auth_token(anonymous, alice, path):
    response = anonymous.post(path, {"username": "alice", "password": PASSWORD})
    assert response.status_code == 200
    assert set(response.json()) == {"auth_token"}
    token = response.json()["auth_token"]
    assert Api(anonymous.client, token, "Token").get("users/me/").json()["username"] == "alice"


def test_djoser_login_with_bad_credentials_is_400_non_field_errors(anonymous, alice):
    response = anonymous.post("token/login/", {"username": "alice", "password": "nope"})
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Unable to log in with provided credentials."]}


def test_logout_ends_the_presented_token_at_once_and_only_it(anonymous, alice):
    token = anonymous.post("token/login/", {"username": "alice", "password": PASSWORD}).json()[
        "auth_token"
    ]
    other = obtain(anonymous).json()["token"]
    client = Api(anonymous.client, token, "Token")
    response = client.post("token/logout/")
    assert response.status_code == 204
    assert response.content == b""
    refused(anonymous, token, "Token")
    assert client.post("token/logout/").status_code == 401
    assert anonymous.post("auth/token/verify", {"token": token}).status_code == 401
    assert Api(anonymous.client, other).get("users/me/").status_code == 200


def test_logout_without_a_token_is_401(anonymous):
    assert anonymous.post("token/logout/").status_code == 401


def test_tokens_of_a_deactivated_user_stop_working(anonymous, alice):
    token = obtain(anonymous).json()["token"]
    alice.is_active = False
    alice.save()
    refused(anonymous, token)


def test_tokens_of_a_deleted_user_stop_working(anonymous, alice):
    token = obtain(anonymous).json()["token"]
    alice.delete()
    refused(anonymous, token)


def test_authenticating_a_request_costs_one_query(anonymous, alice, django_assert_num_queries):
    client = Api(anonymous.client, obtain(anonymous).json()["token"])
    with django_assert_num_queries(1):
        assert client.get("users/me/").status_code == 200


def test_the_seed_flow_auth_token_then_bearer_then_cats(anonymous, alice):
    token = obtain(anonymous).json()["token"]
    response = anonymous.client.get("/api/cats/", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.json() == {"count": 0, "next": None, "previous": None, "results": []}


@pytest.mark.parametrize("user_id", ["abc", [1], None])
def test_a_validly_signed_token_with_a_user_id_of_the_wrong_type_is_refused(
    anonymous, alice, user_id
):
    """As a token of another release or another app signed with the same key would be."""
    token = obtain(anonymous).json()["token"]
    refused(anonymous, forge(token, key=settings.SECRET_KEY, user_id=user_id))


def test_a_multipart_login_works_after_a_middleware_read_the_form(
    alice, a_middleware_reads_the_form
):
    form = {"username": "alice", "password": PASSWORD}
    response = Client().post("/api/auth/token", form)  # the limits read the form first here
    assert response.status_code == 200, response.json()
    assert Client().post("/api/token/login/", form).status_code == 200
