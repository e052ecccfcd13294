"""Accounts beyond djoser: usernames unique in any case, notices of changes, and e-mail changes
confirmed by the new address."""

import logging

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import override_settings

from tests.conftest import PASSWORD, link_in_mail

User = get_user_model()
NEW_PASSWORD = "another-Pa55word"


# Usernames ---------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["Alice", "ALICE", "alicE", "ａｌｉｃｅ", "Ａlice"])
def test_a_username_that_differs_only_in_case_or_width_is_taken(anonymous, alice, username):
    response = anonymous.post("users/", {"username": username, "password": PASSWORD})
    assert (response.status_code, response.json()) == (
        400,
        {"username": ["A user with that username already exists."]},
    )
    assert User.objects.count() == 1


def test_a_registered_username_is_normalised_as_django_does(anonymous, db):
    response = anonymous.post("users/", {"username": "ｔｏｍ", "password": PASSWORD})
    assert response.status_code == 201
    assert response.json()["username"] == "tom"  # NFKC


def test_set_username_refuses_another_users_name_in_any_case_but_not_ones_own(as_alice, alice, bob):
    body = {"current_password": PASSWORD, "new_username": "BOB"}
    response = as_alice.post("users/set_username/", body)
    assert (response.status_code, response.json()) == (
        400,
        {"new_username": ["A user with that username already exists."]},
    )
    body["new_username"] = "Alice"
    assert as_alice.post("users/set_username/", body).status_code == 204
    alice.refresh_from_db()
    assert alice.username == "Alice"


def test_reset_username_confirm_refuses_another_users_name_in_any_case(anonymous, alice, bob):
    assert anonymous.post("users/reset_username/", {"email": "alice@example.com"})
    link = link_in_mail(mail.outbox[0])
    response = anonymous.post("users/reset_username_confirm/", {**link, "new_username": "Bob"})
    assert response.json() == {"new_username": ["A user with that username already exists."]}


@override_settings(CATGRAM={"USERNAME_CASE_INSENSITIVE": False})
def test_the_case_rule_can_be_turned_off(anonymous, alice):
    assert anonymous.post("users/", {"username": "Alice", "password": PASSWORD}).status_code == 201
    assert anonymous.post("users/", {"username": "alice", "password": PASSWORD}).status_code == 400


# Notices -----------------------------------------------------------------------------------


def mailed(to):
    return [(message.to, message.subject) for message in mail.outbox if message.to == [to]]


def change_password(client):
    body = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    return client.post("users/set_password/", body)


def reset_password(anonymous):
    anonymous.post("users/reset_password/", {"email": "alice@example.com"})
    link = link_in_mail(mail.outbox.pop())
    return anonymous.post("users/reset_password_confirm/", {**link, "new_password": NEW_PASSWORD})


def change_username(client):
    return client.post(
        "users/set_username/", {"current_password": PASSWORD, "new_username": "alice2"}
    )


def reset_username(anonymous):
    anonymous.post("users/reset_username/", {"email": "alice@example.com"})
    link = link_in_mail(mail.outbox.pop())
    return anonymous.post("users/reset_username_confirm/", {**link, "new_username": "alice2"})


PASSWORD_NOTICE = "Your password on testserver was changed"
USERNAME_NOTICE = "Your username on testserver was changed"
CHANGES = [
    (change_password, "as_alice", PASSWORD_NOTICE),
    (reset_password, "anonymous", PASSWORD_NOTICE),
    (change_username, "as_alice", USERNAME_NOTICE),
    (reset_username, "anonymous", USERNAME_NOTICE),
]


@pytest.mark.parametrize(
    ("change", "caller", "subject"), CHANGES, ids=[change.__name__ for change, *_ in CHANGES]
)
def test_a_change_is_told_to_the_users_address_once_it_commits(
    request, alice, django_capture_on_commit_callbacks, change, caller, subject
):
    api = request.getfixturevalue(caller)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert change(api).status_code == 204
        assert mailed("alice@example.com") == []  # not before the change has committed
    assert len(callbacks) == 1
    assert mailed("alice@example.com") == [(["alice@example.com"], subject)]
    body = mail.outbox[-1].body
    assert "testserver" in body
    assert "If it was not you, reset your password at once" in body


@pytest.mark.parametrize(
    ("change", "setting"),
    [
        (change_password, "PASSWORD_CHANGED_EMAIL_CONFIRMATION"),
        (change_username, "USERNAME_CHANGED_EMAIL_CONFIRMATION"),
    ],
)
def test_each_notice_can_be_turned_off(
    as_alice, alice, django_capture_on_commit_callbacks, change, setting
):
    with (
        override_settings(CATGRAM={setting: False}),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert change(as_alice).status_code == 204
    assert mail.outbox == []


def test_no_notice_without_an_address(anonymous, db, django_capture_on_commit_callbacks):
    User.objects.create_user("noaddress", password=PASSWORD)
    client = anonymous.log_in("noaddress")
    with django_capture_on_commit_callbacks(execute=True):
        assert change_password(client).status_code == 204
    assert mail.outbox == []


def test_a_notice_that_cannot_be_sent_is_logged_and_the_change_stands(
    as_alice, alice, unreachable_smtp_server, django_capture_on_commit_callbacks, caplog
):
    caplog.set_level(logging.ERROR, logger="django_catgram")
    with django_capture_on_commit_callbacks(execute=True):
        assert change_password(as_alice).status_code == 204
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)
    failures = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert failures == [f"Failed to send the password_changed mail to user {alice.pk}"]


# E-mail changes ----------------------------------------------------------------------------

CONFIRMED = override_settings(CATGRAM={"EMAIL_CHANGE_CONFIRMATION": True})


@CONFIRMED
@pytest.mark.parametrize("method", ["PATCH", "PUT"])
def test_a_new_address_is_set_only_when_its_link_is_followed(
    anonymous, as_alice, alice, django_capture_on_commit_callbacks, method
):
    response = as_alice.request(method, "users/me/", {"email": "new@example.com"})
    assert (response.status_code, response.json()["email"]) == (200, "alice@example.com")
    alice.refresh_from_db()
    assert alice.email == "alice@example.com"
    [message] = mail.outbox
    assert message.to == ["new@example.com"]
    assert message.subject == "Confirm your new address on testserver"
    assert "http://testserver/#/email/change/confirm/" in message.body
    link = link_in_mail(message)
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = anonymous.post("users/email_change_confirm/", link)
    assert (confirmed.status_code, confirmed.content) == (204, b"")
    alice.refresh_from_db()
    assert alice.email == "new@example.com"
    told = mail.outbox[-1]
    assert told.to == ["alice@example.com"]  # the old address
    assert "new@example.com" in told.body
    again = anonymous.post("users/email_change_confirm/", link)
    assert (again.status_code, again.json()) == (400, {"token": ["Invalid token for given user."]})


@CONFIRMED
def test_a_change_link_is_spent_by_any_change_of_the_address(anonymous, as_alice, alice):
    as_alice.patch("users/me/", {"email": "first@example.com"})
    as_alice.patch("users/me/", {"email": "second@example.com"})
    first, second = (link_in_mail(message) for message in mail.outbox)
    assert anonymous.post("users/email_change_confirm/", second).status_code == 204
    assert anonymous.post("users/email_change_confirm/", first).status_code == 400
    alice.refresh_from_db()
    assert alice.email == "second@example.com"


@CONFIRMED
@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda link, other: {**link, "token": link["token"][:-2] + "xx"}, "token"),
        (lambda link, other: {**link, "token": "garbage"}, "token"),
        (lambda link, other: {**link, "uid": other}, "token"),  # the link of another user
        (lambda link, other: {**link, "uid": "MTIzNDU2"}, "uid"),
    ],
    ids=["forged", "garbage", "another user", "no such user"],
)
def test_a_bad_change_link_is_400_and_changes_nothing(
    anonymous, as_alice, alice, bob, change, field
):
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    as_alice.patch("users/me/", {"email": "new@example.com"})
    link = link_in_mail(mail.outbox[0])
    body = change(link, urlsafe_base64_encode(force_bytes(bob.pk)))
    response = anonymous.post("users/email_change_confirm/", body)
    assert (response.status_code, list(response.json())) == (400, [field])
    assert User.objects.get(pk=alice.pk).email == "alice@example.com"
    assert User.objects.get(pk=bob.pk).email == "bob@example.com"


@CONFIRMED
@override_settings(PASSWORD_RESET_TIMEOUT=-1)
def test_an_old_change_link_is_400(anonymous, as_alice, alice):
    as_alice.patch("users/me/", {"email": "new@example.com"})
    response = anonymous.post("users/email_change_confirm/", link_in_mail(mail.outbox[0]))
    assert response.status_code == 400


@CONFIRMED
def test_clearing_the_address_needs_no_link_and_the_old_address_is_told(
    as_alice, alice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = as_alice.patch("users/me/", {"email": ""})
    assert response.json()["email"] == ""
    [told] = mail.outbox
    assert told.to == ["alice@example.com"]
    assert "has just been removed" in told.body


@CONFIRMED
def test_the_same_address_again_needs_no_link_and_tells_no_one(
    as_alice, alice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = as_alice.patch("users/me/", {"email": "alice@example.com"})
    assert (response.status_code, response.json()["email"]) == (200, "alice@example.com")
    assert mail.outbox == []


@CONFIRMED
def test_an_invalid_new_address_is_400_and_mails_nothing(as_alice, alice):
    response = as_alice.patch("users/me/", {"email": "not an address"})
    assert (response.status_code, list(response.json())) == (400, ["email"])
    assert mail.outbox == []


def test_without_the_setting_an_address_changes_at_once_and_nothing_is_mailed(as_alice, alice):
    response = as_alice.patch("users/me/", {"email": "new@example.com"})
    assert response.json()["email"] == "new@example.com"
    assert mail.outbox == []


@CONFIRMED
def test_a_first_address_is_confirmed_too_and_nobody_else_is_told(
    anonymous, db, django_capture_on_commit_callbacks
):
    User.objects.create_user("noaddress", password=PASSWORD)
    client = anonymous.log_in("noaddress")
    assert client.patch("users/me/", {"email": "first@example.com"}).json()["email"] == ""
    [message] = mail.outbox
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = anonymous.post("users/email_change_confirm/", link_in_mail(message))
    assert confirmed.status_code == 204
    assert User.objects.get(username="noaddress").email == "first@example.com"
    assert len(mail.outbox) == 1
