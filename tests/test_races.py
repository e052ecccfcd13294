"""Requests that meet another transaction's uncommitted write of the same row: they wait for it,
and answer as if it had come first (never a 500)."""

import threading
import time
from contextlib import contextmanager

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import F

from django_catgram import routing
from django_catgram.messages import DATABASE_UNAVAILABLE
from django_catgram.models import Achievement, Cat, CatCount, LoginSession
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
def in_another_transaction(work):
    """``work(ready)`` in another connection's transaction, which commits when ``work`` returns,
    while the block runs; the block starts once ``work`` calls ``ready()``."""
    ready = threading.Event()

    def run():
        try:
            with transaction.atomic():
                work(ready.set)
        finally:
            ready.set()
            connection.close()  # this thread's own connection

    other = threading.Thread(target=run)
    other.start()
    ready.wait()
    try:
        yield
    finally:
        other.join()


def committed_meanwhile(write, seconds=0.5):
    """``write`` in another transaction, which commits ``seconds`` later, while the block runs:
    a request in the block sees none of it at first, and waits where it meets it."""

    def work(ready):
        write()
        ready()
        time.sleep(seconds)

    return in_another_transaction(work)


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


def waits_for_a_lock(timeout=5.0):
    """Wait until another connection to the database waits for a row lock."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND datname = current_database() AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone():
                return
            time.sleep(0.01)
    raise AssertionError("no connection waits for a lock")


def deadlocked_meanwhile(first, then):
    """Another transaction that locks the count row ``first``, waits until a request in the
    block waits for it, then waits for the count row ``then`` that the request holds: the
    database rolls the request's transaction back (its deadlock_timeout, 1 s by default, is the
    shorter), and this one commits, changing nothing."""

    def work(ready):
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL deadlock_timeout = '30s'")
        first.update(cats=F("cats"))
        ready()
        waits_for_a_lock()
        then.update(cats=F("cats"))

    return in_another_transaction(work)


NEW_CAT = {
    "name": "Kitty",
    "color": "black",
    "birth_year": 2020,
    "achievements": [{"achievement_name": "Purrs"}],
}


def deadlocked_with_a_new_cat(alice):
    """A transaction that deadlocks with creating NEW_CAT: the new cat takes its year's total,
    then its achievement's count of that year, which the other holds, waiting for the total."""
    purrs = Achievement.objects.create(name="Purrs")
    Cat.objects.create(name="Tom", color="red", birth_year=2020, owner=alice).achievements.add(
        purrs
    )
    counts = CatCount.objects.filter(birth_year=2020)
    achievement = counts.filter(dimension="achievement", value=str(purrs.pk))
    return deadlocked_meanwhile(first=achievement, then=counts.filter(dimension="all"))


def test_a_write_the_database_rolls_back_out_of_a_deadlock_is_run_again(as_alice, alice):
    with deadlocked_with_a_new_cat(alice):
        response = as_alice.post("cats/", NEW_CAT)
    assert response.status_code == 201, response.json()
    assert list(Cat.objects.filter(name="Kitty").values_list("birth_year", flat=True)) == [2020]
    assert count(as_alice, "achievement=Purrs&birth_year=2020") == 2
    assert_kept_counts_are_the_cats()


def test_a_write_is_not_run_again_past_its_last_attempt(as_alice, alice, monkeypatch):
    monkeypatch.setattr(routing, "ATTEMPTS", 1)
    with deadlocked_with_a_new_cat(alice):
        response = as_alice.post("cats/", NEW_CAT)
    assert (response.status_code, response.json()) == (503, {"detail": DATABASE_UNAVAILABLE})
    assert not Cat.objects.filter(name="Kitty").exists()
    assert_kept_counts_are_the_cats()


def test_a_write_in_a_transaction_the_caller_opened_is_not_run_again(as_alice, alice):
    """That transaction is the caller's to end; the write in it was rolled back."""
    with deadlocked_with_a_new_cat(alice), transaction.atomic():
        response = as_alice.post("cats/", NEW_CAT)
    assert response.status_code == 503
    assert not Cat.objects.filter(name="Kitty").exists()
    assert_kept_counts_are_the_cats()
