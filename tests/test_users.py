import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import override_settings

from tests.conftest import PASSWORD, Api, link_in_mail

pytestmark = pytest.mark.django_db
User = get_user_model()
NEW_PASSWORD = "Whiskers-Anew-77"


def user_object(user):
    return {"email": user.email, "id": user.pk, "username": user.username}


# --- registration ---


def test_registration_creates_an_active_user_and_returns_it_without_password(anonymous):
    response = anonymous.post(
        "users/", {"username": "carol", "password": PASSWORD, "email": "carol@example.com"}
    )
    assert response.status_code == 201
    carol = User.objects.get(username="carol")
    assert response.json() == user_object(carol)
    assert carol.is_active
    assert carol.check_password(PASSWORD)
    assert anonymous.log_in("carol").get("users/me/").status_code == 200


def test_registration_without_email_is_fine(anonymous):
    response = anonymous.post("users/", {"username": "dave", "password": PASSWORD})
    assert response.status_code == 201
    assert response.json()["email"] == ""


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short", "This password is too short. It must contain at least 8 characters."),
        ("password", "This password is too common."),
        ("12345678901", "This password is entirely numeric."),
        ("carolcarol", "The password is too similar to the username."),
    ],
)
def test_registration_applies_djangos_password_validators(anonymous, password, message):
    response = anonymous.post("users/", {"username": "carolcarol", "password": password})
    assert response.status_code == 400
    assert message in response.json()["password"]
    assert not User.objects.filter(username="carolcarol").exists()


def test_a_taken_username_is_400_on_username(anonymous, alice):
    response = anonymous.post("users/", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 400
    assert response.json() == {"username": ["A user with that username already exists."]}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"password": PASSWORD}, "username"),
        ({"username": "carol"}, "password"),
        ({"username": "bad name!", "password": PASSWORD}, "username"),
        ({"username": "x" * 151, "password": PASSWORD}, "username"),
        ({"username": "", "password": PASSWORD}, "username"),
        ({"username": "carol", "password": PASSWORD, "email": "not-an-email"}, "email"),
    ],
)
def test_invalid_registrations_are_400_on_the_field(anonymous, body, field):
    response = anonymous.post("users/", body)
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert not User.objects.exists()


# --- me and ids ---


@pytest.mark.parametrize("path", ["users/me/", "users/{id}/"])
def test_a_user_reads_itself(as_alice, alice, path):
    response = as_alice.get(path.format(id=alice.pk))
    assert response.status_code == 200
    assert response.json() == user_object(alice)


@pytest.mark.parametrize("method", ["put", "patch"])
def test_me_changes_the_email_and_never_the_username(as_alice, alice, method):
    response = getattr(as_alice, method)(
        "users/me/", {"email": "new@example.com", "username": "mallory"}
    )
    assert response.status_code == 200
    alice.refresh_from_db()
    assert (alice.username, alice.email) == ("alice", "new@example.com")
    assert response.json() == user_object(alice)


def test_patch_of_nothing_changes_nothing(as_alice, alice):
    response = as_alice.patch("users/me/", {})
    assert response.status_code == 200
    alice.refresh_from_db()
    assert alice.email == "alice@example.com"


def test_an_invalid_email_is_400_and_changes_nothing(as_alice, alice):
    response = as_alice.patch("users/me/", {"email": "nope"})
    assert response.status_code == 400
    assert list(response.json()) == ["email"]
    alice.refresh_from_db()
    assert alice.email == "alice@example.com"


def test_delete_me_needs_the_current_password(as_alice, alice):
    response = as_alice.delete("users/me/", {"current_password": "wrong"})
    assert response.status_code == 400
    assert response.json() == {"current_password": ["Invalid password."]}
    assert User.objects.filter(pk=alice.pk).exists()
    response = as_alice.delete("users/me/", {"current_password": PASSWORD})
    assert response.status_code == 204
    assert response.content == b""
    assert not User.objects.filter(pk=alice.pk).exists()
    assert as_alice.get("users/me/").status_code == 401


def test_delete_without_the_current_password_is_400(as_alice, alice):
    response = as_alice.delete("users/me/")
    assert response.status_code == 400
    assert User.objects.filter(pk=alice.pk).exists()


# The users table for each kind of caller: (method, path, body) -> status.
@pytest.mark.parametrize(
    ("caller", "method", "body", "status"),
    [
        ("anonymous", "get", None, 401),
        ("anonymous", "patch", {"email": "x@example.com"}, 401),
        ("anonymous", "delete", {"current_password": PASSWORD}, 401),
        ("self", "get", None, 200),
        ("self", "put", {"email": "x@example.com"}, 200),
        ("self", "patch", {"email": "x@example.com"}, 200),
        ("self", "delete", {"current_password": PASSWORD}, 204),
        ("other", "get", None, 404),
        ("other", "put", {"email": "x@example.com"}, 404),
        ("other", "patch", {"email": "x@example.com"}, 404),
        ("other", "delete", {"current_password": PASSWORD}, 404),
        ("staff", "get", None, 200),
        ("staff", "put", {"email": "x@example.com"}, 200),
        ("staff", "patch", {"email": "x@example.com"}, 200),
        ("staff", "delete", {"current_password": PASSWORD}, 204),
    ],
)
def test_users_id_for_each_kind_of_caller(
    request, anonymous, alice, bob, staff, caller, method, body, status
):
    client = {
        "anonymous": anonymous,
        "self": anonymous.log_in("alice"),
        "other": anonymous.log_in("bob"),
        "staff": anonymous.log_in("staff"),
    }[caller]
    response = getattr(client, method)(f"users/{alice.pk}/", body)
    assert response.status_code == status
    if status in (401, 404):
        assert "detail" in response.json()
        alice.refresh_from_db()
        assert alice.email == "alice@example.com"
    if status == 200:
        alice.refresh_from_db()
        assert response.json() == user_object(alice)
    assert User.objects.filter(pk=alice.pk).exists() == (status != 204)


def test_an_unknown_id_is_404(as_staff):
    assert as_staff.get("users/999999/").status_code == 404
    assert as_staff.get("users/abc/").status_code == 404


# --- the list ---


def test_a_user_lists_only_itself(as_alice, alice, bob):
    response = as_alice.get("users/")
    assert response.status_code == 200
    assert response.json() == {
        "count": 1,
        "next": None,
        "previous": None,
        "results": [user_object(alice)],
    }


def test_staff_list_every_user_in_pages(as_staff, make_user):
    for index in range(11):
        make_user(f"user{index}")
    first = as_staff.get("users/").json()
    assert first["count"] == 12
    assert len(first["results"]) == 10
    assert first["next"] == "http://testserver/api/users/?page=2"
    second = as_staff.get("users/", "page=2").json()
    assert len(second["results"]) == 2
    assert second["previous"] == "http://testserver/api/users/"


def test_the_list_needs_a_token(anonymous):
    assert anonymous.get("users/").status_code == 401


@pytest.mark.parametrize("page", ["0", "2", "abc", "-1"])
def test_a_bad_page_is_404_invalid_page(as_alice, page):
    response = as_alice.get("users/", f"page={page}")
    assert response.status_code == 404
    assert response.json() == {"detail": "Invalid page."}


# --- set_password and set_username ---


def test_set_password_changes_it_and_ends_older_tokens(anonymous, as_alice, alice):
    response = as_alice.post(
        "users/set_password/", {"new_password": NEW_PASSWORD, "current_password": PASSWORD}
    )
    assert response.status_code == 204
    assert as_alice.get("users/me/").status_code == 401
    assert (
        anonymous.post("auth/token", {"username": "alice", "password": PASSWORD}).status_code == 401
    )
    assert anonymous.log_in("alice", NEW_PASSWORD).get("users/me/").status_code == 200


def test_set_password_ends_refresh_tokens_issued_before(anonymous, alice):
    pair = anonymous.post("auth/token", {"username": "alice", "password": PASSWORD}).json()
    Api(anonymous.client, pair["token"]).post(
        "users/set_password/", {"new_password": NEW_PASSWORD, "current_password": PASSWORD}
    )
    assert anonymous.post("auth/token/refresh", {"refresh": pair["refresh"]}).status_code == 401


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"new_password": NEW_PASSWORD, "current_password": "wrong"}, "current_password"),
        ({"new_password": "123", "current_password": PASSWORD}, "new_password"),
        ({"current_password": PASSWORD}, "new_password"),
    ],
)
def test_set_password_refusals_are_400_and_change_nothing(as_alice, alice, body, error):
    response = as_alice.post("users/set_password/", body)
    assert response.status_code == 400
    assert list(response.json()) == [error]
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


def test_set_username(as_alice, alice, bob):
    taken = as_alice.post(
        "users/set_username/", {"current_password": PASSWORD, "new_username": "bob"}
    )
    assert taken.status_code == 400
    assert list(taken.json()) == ["new_username"]
    wrong = as_alice.post(
        "users/set_username/", {"current_password": "nope", "new_username": "alicia"}
    )
    assert wrong.status_code == 400
    assert list(wrong.json()) == ["current_password"]
    response = as_alice.post(
        "users/set_username/", {"current_password": PASSWORD, "new_username": "alicia"}
    )
    assert response.status_code == 204
    alice.refresh_from_db()
    assert alice.username == "alicia"


def test_set_password_and_username_need_a_token(anonymous):
    assert anonymous.post("users/set_password/", {}).status_code == 401
    assert anonymous.post("users/set_username/", {}).status_code == 401


# --- resets by mail ---


def test_password_reset_end_to_end(anonymous, alice):
    old = anonymous.log_in("alice")
    response = anonymous.post("users/reset_password/", {"email": "ALICE@example.com"})
    assert response.status_code == 204
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["alice@example.com"]
    assert "http://testserver/#/password/reset/confirm/" in mail.outbox[0].body
    link = link_in_mail(mail.outbox[0])
    weak = anonymous.post("users/reset_password_confirm/", {**link, "new_password": "1"})
    assert weak.status_code == 400
    assert list(weak.json()) == ["new_password"]
    response = anonymous.post(
        "users/reset_password_confirm/", {**link, "new_password": NEW_PASSWORD}
    )
    assert response.status_code == 204
    assert anonymous.log_in("alice", NEW_PASSWORD).get("users/me/").status_code == 200
    assert old.get("users/me/").status_code == 401
    again = anonymous.post(
        "users/reset_password_confirm/", {**link, "new_password": "Another-Pass-99"}
    )
    assert again.status_code == 400
    assert again.json() == {"token": ["Invalid token for given user."]}


def test_password_reset_does_not_tell_whether_an_account_exists(anonymous, alice):
    response = anonymous.post("users/reset_password/", {"email": "nobody@example.com"})
    assert response.status_code == 204
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("change", "error"),
    [({"uid": "!!"}, "uid"), ({"uid": "OTk5OTk"}, "uid"), ({"token": "1-abc"}, "token")],
)
def test_a_bad_uid_or_token_is_400_on_it(anonymous, alice, change, error):
    anonymous.post("users/reset_password/", {"email": "alice@example.com"})
    body = {**link_in_mail(mail.outbox[0]), "new_password": NEW_PASSWORD, **change}
    response = anonymous.post("users/reset_password_confirm/", body)
    assert response.status_code == 400
    assert list(response.json()) == [error]
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


def test_the_reset_link_format_is_a_setting(anonymous, alice):
    link = "https://cats.example/reset?u={uid}&t={token}"
    with override_settings(CATGRAM={"PASSWORD_RESET_CONFIRM_URL": link}):
        anonymous.post("users/reset_password/", {"email": "alice@example.com"})
    assert "https://cats.example/reset?u=" in mail.outbox[0].body


def test_username_reset_end_to_end(anonymous, alice):
    assert (
        anonymous.post("users/reset_username/", {"email": "alice@example.com"}).status_code == 204
    )
    assert anonymous.post("users/reset_username/", {"email": "no@example.com"}).status_code == 204
    assert len(mail.outbox) == 1
    link = link_in_mail(mail.outbox[0])
    response = anonymous.post("users/reset_username_confirm/", {**link, "new_username": "alicia"})
    assert response.status_code == 204
    alice.refresh_from_db()
    assert alice.username == "alicia"
    anonymous.log_in("alicia")
    again = anonymous.post("users/reset_username_confirm/", {**link, "new_username": "alya"})
    assert again.status_code == 400
    assert list(again.json()) == ["token"]


# --- activation ---


def test_activation_is_off_by_default(anonymous, alice):
    response = anonymous.post("users/resend_activation/", {"email": "alice@example.com"})
    assert response.status_code == 400
    assert mail.outbox == []


@override_settings(CATGRAM={"SEND_ACTIVATION_EMAIL": True})
def test_activation_end_to_end(anonymous):
    response = anonymous.post(
        "users/", {"username": "erin", "password": PASSWORD, "email": "erin@example.com"}
    )
    assert response.status_code == 201
    assert not User.objects.get(username="erin").is_active
    assert (
        anonymous.post("auth/token", {"username": "erin", "password": PASSWORD}).status_code == 401
    )
    assert len(mail.outbox) == 1
    assert "#/activate/" in mail.outbox[0].body
    resent = anonymous.post("users/resend_activation/", {"email": "erin@example.com"})
    assert resent.status_code == 204
    assert len(mail.outbox) == 2
    link = link_in_mail(mail.outbox[1])
    assert anonymous.post("users/activation/", link).status_code == 204
    assert User.objects.get(username="erin").is_active
    anonymous.log_in("erin")
    again = anonymous.post("users/activation/", link)
    assert again.status_code == 403
    assert again.json() == {"detail": "Stale token for given user."}


@override_settings(CATGRAM={"SEND_ACTIVATION_EMAIL": True})
def test_resend_activation_answers_204_for_unknown_and_active_addresses(anonymous, alice):
    for email in ("alice@example.com", "nobody@example.com"):
        assert anonymous.post("users/resend_activation/", {"email": email}).status_code == 204
    assert mail.outbox == []


def test_activation_with_a_bad_token_is_400(anonymous, make_user):
    sleepy = make_user("sleepy", is_active=False)
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    uid = urlsafe_base64_encode(force_bytes(sleepy.pk))
    response = anonymous.post("users/activation/", {"uid": uid, "token": "1-bad"})
    assert response.status_code == 400
    assert list(response.json()) == ["token"]
    sleepy.refresh_from_db()
    assert not sleepy.is_active
