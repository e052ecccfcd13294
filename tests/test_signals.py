"""The signals a host site receives: djoser's three for users and the cats' three, each sent once
its write has committed, with the sender and arguments the README names."""

import logging

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import transaction
from django.test import override_settings

from django_catgram import signals
from django_catgram.models import Cat
from tests.conftest import PASSWORD, cat_body, create_cat, link_in_mail

pytestmark = pytest.mark.django_db
SIGNALS = [name for name in dir(signals) if isinstance(getattr(signals, name), signals.Signal)]


@pytest.fixture
def received():
    """Every signal of the app received: (name, sender, arguments but the signal)."""
    log = []

    def receiver(name):
        def receive(sender, signal, **arguments):
            log.append((name, sender, arguments))

        return receive

    receivers = {name: receiver(name) for name in SIGNALS}
    for name, receive in receivers.items():
        getattr(signals, name).connect(receive)
    yield log
    for name, receive in receivers.items():
        getattr(signals, name).disconnect(receive)


def test_the_app_has_djosers_user_signals_and_the_cats(received):
    assert sorted(SIGNALS) == [
        "cat_created",
        "cat_deleted",
        "cat_updated",
        "user_activated",
        "user_registered",
        "user_updated",
    ]


def sent(received):
    """The signals received, each as (name, sender, the user or cat, whether a request came)."""
    return [
        (name, sender, arguments.get("user", arguments.get("cat")), "request" in arguments)
        for name, sender, arguments in received
    ]


def test_a_registration_sends_user_registered_once_it_commits(
    anonymous, received, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = anonymous.post("users/", {"username": "newbie", "password": PASSWORD})
    assert received == []  # not before the commit
    for callback in callbacks:
        callback()
    user = get_user_model().objects.get(pk=response.json()["id"])
    assert sent(received) == [("user_registered", get_user_model(), user, True)]


@override_settings(CATGRAM={"SEND_ACTIVATION_EMAIL": True})
def test_an_activation_sends_user_activated(
    anonymous, received, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        anonymous.post(
            "users/", {"username": "newbie", "email": "n@example.com", "password": PASSWORD}
        )
        response = anonymous.post("users/activation/", link_in_mail(mail.outbox[-1]))
    assert response.status_code == 204
    user = get_user_model().objects.get(username="newbie")
    assert [name for name, *_ in sent(received)] == ["user_registered", "user_activated"]
    assert sent(received)[1] == ("user_activated", get_user_model(), user, True)
    assert received[1][2]["user"].is_active


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
@pytest.mark.parametrize("path", ["users/me/", "users/{pk}/"])
def test_a_change_of_a_user_sends_user_updated(
    as_alice, alice, received, django_capture_on_commit_callbacks, method, path
):
    with django_capture_on_commit_callbacks(execute=True):
        response = as_alice.request(method, path.format(pk=alice.pk), {"email": "a2@example.com"})
    assert response.status_code == 200
    assert sent(received) == [("user_updated", get_user_model(), alice, True)]
    assert received[0][2]["user"].email == "a2@example.com"


def test_the_writes_of_a_cat_send_cat_created_updated_and_deleted(
    as_alice, received, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        cat = create_cat(as_alice)
        path = f"cats/{cat['id']}/"
        as_alice.put(path, cat_body(name="Murzik"))
        as_alice.patch(path, {"color": "black"})
        assert as_alice.delete(path).status_code == 204
    assert [(name, sender, has_request) for name, sender, _, has_request in sent(received)] == [
        ("cat_created", Cat, True),
        ("cat_updated", Cat, True),
        ("cat_updated", Cat, True),
        ("cat_deleted", Cat, True),
    ]
    cats = [arguments["cat"] for *_, arguments in received]
    assert [(c.pk, c.name, c.color) for c in cats] == [
        (cat["id"], "Barsik", "darkgray"),
        (cat["id"], "Murzik", "darkgray"),
        (cat["id"], "Murzik", "black"),
        (cat["id"], "Murzik", "black"),  # as it was, its id kept
    ]
    assert not Cat.objects.exists()


def test_a_write_refused_sends_nothing(
    as_alice, as_bob, anonymous, received, django_capture_on_commit_callbacks
):
    cat = create_cat(as_alice)
    received.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert anonymous.post("users/", {"username": "x", "password": "1"}).status_code == 400
        assert as_alice.patch("users/me/", {"email": "not an address"}).status_code == 400
        assert as_bob.patch(f"cats/{cat['id']}/", {"name": "Mine"}).status_code == 403
        assert as_alice.post("cats/", {"name": ""}).status_code == 400
        stale = {"If-Match": '"stale"'}
        response = as_alice.request("DELETE", f"cats/{cat['id']}/", headers=stale)
        assert response.status_code == 412
    assert received == []


@pytest.mark.django_db(transaction=True)
def test_a_write_in_a_transaction_rolled_back_sends_nothing(as_alice, received):
    with pytest.raises(RuntimeError), transaction.atomic():
        create_cat(as_alice)
        raise RuntimeError("the host's own transaction fails")
    assert received == []
    create_cat(as_alice)  # and committed, it sends at once
    assert [name for name, *_ in received] == ["cat_created"]


def test_a_receiver_that_fails_is_logged_and_changes_neither_the_others_nor_the_answer(
    as_alice, caplog, django_capture_on_commit_callbacks
):
    def fail(**arguments):
        raise RuntimeError("the receiver's own bug")

    after = []

    def record(**arguments):
        after.append(arguments["cat"])

    signals.cat_created.connect(fail)
    signals.cat_created.connect(record)  # called after fail
    try:
        with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
            response = as_alice.post("cats/", cat_body())
    finally:
        signals.cat_created.disconnect(fail)
        signals.cat_created.disconnect(record)
    assert response.status_code == 201
    assert [cat.pk for cat in after] == [response.json()["id"]]
    assert "the receiver's own bug" in caplog.text
