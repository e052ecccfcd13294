"""Requests that meet another transaction's uncommitted write of the same row: they wait for it,
and answer as if it had come first (never a 500)."""

import threading
import time
from contextlib import contextmanager

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction

from django_catgram.models import LoginSession
from tests.conftest import PASSWORD
from tests.test_sessions import log_in, refresh

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="a row lock that only the writer of that row waits for (SQLite locks every write)",
    ),
]


@contextmanager
def committed_meanwhile(write, seconds=0.5):
    """``write`` in another connection's transaction, which commits ``seconds`` later, while the
    block runs: a request in the block sees none of it at first, and waits where it meets it."""
    written = threading.Event()

    def run():
        try:
            with transaction.atomic():
                write()
                written.set()
                time.sleep(seconds)
        finally:
            written.set()
            connection.close()  # this thread's own connection

    writer = threading.Thread(target=run)
    writer.start()
    written.wait()
    try:
        yield
    finally:
        writer.join()


def test_a_username_registered_meanwhile_is_400_on_username(anonymous):
    users = get_user_model().objects
    with committed_meanwhile(lambda: users.create_user("carol", password=PASSWORD)):
        response = anonymous.post("users/", {"username": "carol", "password": PASSWORD})
    assert (response.status_code, response.json()) == (
        400,
        {"username": ["A user with that username already exists."]},
    )
    assert users.filter(username="carol").count() == 1


def test_a_refresh_of_a_session_ended_meanwhile_is_401(anonymous, alice):
    _, refresh_token = log_in(anonymous)
    with committed_meanwhile(lambda: LoginSession.objects.filter(user=alice).delete()):
        response = refresh(anonymous, refresh_token)
    assert response.status_code == 401
    assert not LoginSession.objects.exists()
