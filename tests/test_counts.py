"""The cats list's count: cached, and renewed by every write of a cat or an achievement."""

import pytest
from django.core.cache import cache

from django_catgram.counts import VERSION_KEY
from django_catgram.models import Achievement, Cat

pytestmark = pytest.mark.django_db


def count(api, query=None):
    response = api.get("cats/", query)
    assert response.status_code == 200
    return response.json()["count"]


def new_cat(api, name="Tom", achievements=()):
    body = {
        "name": name,
        "color": "red",
        "birth_year": 2020,
        "achievements": [{"achievement_name": a} for a in achievements],
    }
    response = api.post("cats/", body)
    assert response.status_code == 201
    return response.json()


def test_a_repeated_list_does_not_count_again(as_alice, django_assert_num_queries):
    new_cat(as_alice)
    assert count(as_alice) == 1
    with django_assert_num_queries(3):  # the token's user, the page, its achievements
        assert count(as_alice) == 1


def test_writes_that_send_no_signals_do_not_show_until_the_count_expires(as_alice, alice):
    new_cat(as_alice)
    assert count(as_alice) == 1
    Cat.objects.bulk_create([Cat(name="Bulk", color="red", birth_year=2020, owner=alice)])
    assert count(as_alice) == 1  # served from the cache
    cache.delete(VERSION_KEY)
    assert count(as_alice) == 2


@pytest.mark.parametrize("query", [None, "owner=me", "color=red", "search=to"])
def test_creating_and_deleting_through_the_api_renews_every_count(as_alice, query):
    assert count(as_alice, query) == 0
    cat = new_cat(as_alice)
    assert count(as_alice, query) == 1
    assert as_alice.delete(f"cats/{cat['id']}/").status_code == 204
    assert count(as_alice, query) == 0


def test_changing_a_cat_renews_the_filtered_counts(as_alice):
    cat = new_cat(as_alice)
    assert count(as_alice, "color=red") == 1
    as_alice.patch(f"cats/{cat['id']}/", {"color": "blue"})
    assert count(as_alice, "color=red") == 0
    assert count(as_alice, "color=blue") == 1


def test_achievement_changes_renew_the_achievement_counts(as_alice, as_staff):
    cat = new_cat(as_alice, achievements=["Purrs"])
    assert count(as_alice, "achievement=Purrs") == 1
    as_alice.patch(f"cats/{cat['id']}/", {"achievements": []})
    assert count(as_alice, "achievement=Purrs") == 0
    as_alice.patch(f"cats/{cat['id']}/", {"achievements": [{"achievement_name": "Purrs"}]})
    assert count(as_alice, "achievement=Purrs") == 1
    purrs = Achievement.objects.get(name="Purrs")
    as_staff.patch(f"achievements/{purrs.pk}/", {"achievement_name": "Meows"})
    assert count(as_alice, "achievement=Purrs") == 0
    assert count(as_alice, "achievement=Meows") == 1


def test_deleting_an_owner_renews_the_count(as_alice, as_bob, bob):
    new_cat(as_bob)
    assert count(as_alice) == 1
    bob.delete()
    assert count(as_alice) == 0


def test_the_count_is_renewed_again_when_the_write_commits(
    as_alice, django_capture_on_commit_callbacks
):
    assert count(as_alice) == 0
    with django_capture_on_commit_callbacks() as callbacks:
        new_cat(as_alice)
    cache.set(VERSION_KEY, "counted-before-the-commit")
    for callback in callbacks:
        callback()
    assert cache.get(VERSION_KEY) is None


def test_an_impossible_filter_counts_zero_without_a_query(as_alice, django_assert_num_queries):
    with django_assert_num_queries(1):  # the token's user only
        assert count(as_alice, f"owner={2**70}") == 0
