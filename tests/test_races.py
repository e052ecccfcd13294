"""Requests that meet another transaction's uncommitted write of the same row: they wait for it,
and answer as if it had come first (never a 500)."""

import threading
import time
from contextlib import contextmanager

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction

from django_catgram.models import Achievement, Cat, LoginSession
from tests.conftest import PASSWORD
from tests.test_counts import assert_kept_counts_are_the_cats, count
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


@pytest.mark.parametrize("first", ["the link", "the year"])
def test_a_link_written_meanwhile_with_its_cats_year_is_counted_at_the_year_it_has(
    as_alice, alice, first
):
    cat = Cat.objects.create(name="Tom", color="red", birth_year=2020, owner=alice)
    purrs = Achievement.objects.create(name="Purrs")
    link, year = lambda: cat.achievements.add(purrs), lambda: patch_year(as_alice, cat, 2018)
    with committed_meanwhile(link if first == "the link" else year):
        (year if first == "the link" else link)()  # waits for the other's commit
    assert count(as_alice, "achievement=Purrs&birth_year=2018") == 1
    assert count(as_alice, "achievement=Purrs&birth_year=2020") == 0
    assert_kept_counts_are_the_cats()


def patch_year(api, cat, year):
    assert api.patch(f"cats/{cat.pk}/", {"birth_year": year}).status_code == 200
