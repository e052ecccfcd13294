"""Bugs that schemathesis found (``tox -e fuzz``: live_tests/test_schemathesis.py), a test each."""

import logging

import pytest
from django.contrib.auth import get_user_model
from django.test import override_settings

from django_catgram.models import Achievement, Cat

DETAIL = {"$ref": "#/components/schemas/Detail"}

pytestmark = pytest.mark.django_db


def operations_with_a_body(document):
    return [
        (method, path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if "requestBody" in operation
    ]


@pytest.fixture
def path_parameters(staff):
    """Ids of objects that exist: a write of one that does not is 404 before its body is read."""
    cat = Cat.objects.create(name="Tom", color="red", birth_year=2020, owner=staff)
    return {
        "cat_id": cat.pk,
        "user_id": "me",
        "achievement_id": Achievement.objects.create(name="Purrs").pk,
    }


def test_a_body_that_is_not_json_gets_the_400_its_operation_documents(
    client, as_staff, path_parameters
):
    """Schemathesis: 'ST108 Response violates schema' for ``-d $'\\x00'`` on every body.

    The API answers DRF's 400 ``{"detail": "JSON parse error - ..."}`` as the contract says, but
    the document declared each 400 as field errors only (``{"<field>": ["..."]}``).
    """
    document = client.get("/api/openapi.json").json()
    operations = operations_with_a_body(document)
    assert len(operations) == 27
    for method, path, operation in operations:
        response = client.generic(
            method.upper(),
            path.format(**path_parameters),
            data=b"\x00",
            content_type="application/json",
            headers={"Authorization": f"Bearer {as_staff.token}"},
        )
        where = f"{method.upper()} {path}"
        assert response.status_code == 400, where
        assert list(response.json()) == ["detail"], where
        assert response.json()["detail"].startswith("JSON parse error - "), where
        declared = operation["responses"]["400"]["content"]["application/json"]["schema"]
        assert DETAIL in declared["anyOf"], where
    assert document["components"]["schemas"]["Detail"]["required"] == ["detail"]


MAIL_FAILED = "Failed to send the {} mail to user {}"


def mail_failures(caplog):
    return [record.getMessage() for record in caplog.records if record.levelno == logging.ERROR]


@pytest.mark.parametrize(
    ("path", "kind"),
    [("users/reset_password/", "password_reset"), ("users/reset_username/", "username_reset")],
)
def test_a_reset_mail_that_cannot_be_sent_is_logged_and_still_204(
    anonymous, alice, unreachable_smtp_server, caplog, path, kind
):
    """Schemathesis: 'ST101 Server error' for ``{"email": "user6@example.com"}``.

    With the mail server down, an address that has an account got a 500 and an unknown one a
    204, which told who has an account. Now both are 204 and the failure is logged.
    """
    caplog.set_level(logging.ERROR, logger="django_catgram")
    for email in ("alice@example.com", "nobody@example.com"):
        response = anonymous.post(path, {"email": email})
        assert response.status_code == 204, email
        assert response.content == b""
    assert mail_failures(caplog) == [MAIL_FAILED.format(kind, alice.pk)]


@override_settings(CATGRAM={"SEND_ACTIVATION_EMAIL": True})
def test_an_activation_mail_that_cannot_be_sent_is_logged_and_still_succeeds(
    anonymous, unreachable_smtp_server, caplog
):
    caplog.set_level(logging.ERROR, logger="django_catgram")
    registration = {"username": "tom", "password": "Purr-Purr-2020!", "email": "tom@example.com"}
    response = anonymous.post("users/", registration)
    assert response.status_code == 201
    tom = get_user_model().objects.get(username="tom")
    assert not tom.is_active
    response = anonymous.post("users/resend_activation/", {"email": "tom@example.com"})
    assert response.status_code == 204
    assert mail_failures(caplog) == [MAIL_FAILED.format("activation", tom.pk)] * 2
