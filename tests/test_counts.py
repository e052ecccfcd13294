"""The cats list's count: cached, exact after every write, and kept by writes that cannot
have changed it."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.db.models import Q
from django.db.models.functions import Length
from django.test.utils import CaptureQueriesContext

from django_catgram.cats import cats
from django_catgram.counts import cached_count, rows_tag, tag_key, whole_table
from django_catgram.models import Achievement, Cat
from django_catgram.presenters import cat_rows

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
    cache.clear()  # as when the count expires
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
    rows = tag_key(rows_tag(Cat))
    cache.set(rows, "counted-before-the-commit")
    for callback in callbacks:
        callback()
    assert cache.get(rows) is None


def test_an_impossible_filter_counts_zero_without_a_query(as_alice, django_assert_num_queries):
    with django_assert_num_queries(1):  # the token's user only
        assert count(as_alice, f"owner={2**70}") == 0


def counts_again(api, query):
    """Whether listing with ``query`` counts in the database."""
    with CaptureQueriesContext(connection) as queries:
        count(api, query)
    return any("COUNT(" in item["sql"] for item in queries.captured_queries)


QUERIES = [
    None,
    "owner=me",
    "color=red",
    "color=blue",
    "birth_year=2020",
    "birth_year_min=2019",
    "birth_year_max=2019",
    "achievement=Purrs",
    "achievement=Meows",
    "search=to",
    "search=zz",
    "color=red&achievement=Purrs",
    "owner=me&birth_year_min=2020&ordering=-name",
]


def counts_are_exact(api):
    """Every query's count as served equals its count made afresh (which it then caches)."""
    served = [count(api, query) for query in QUERIES]
    cache.clear()
    assert served == [count(api, query) for query in QUERIES]


def test_every_count_is_exact_after_every_kind_of_write(as_alice, as_bob, as_staff, bob):
    tom = new_cat(as_alice, "Tom", ["Purrs"])
    new_cat(as_alice, "Zaza", ["Meows", "Purrs"])
    bobs = new_cat(as_bob, "Toby", ["Meows"])
    counts_are_exact(as_alice)
    cats_of_alice = Cat.objects.filter(owner__username="alice")
    writes = [
        lambda: new_cat(as_alice, "Felix", ["Purrs"]),
        lambda: as_alice.patch(f"cats/{tom['id']}/", {"color": "blue"}),
        lambda: as_alice.patch(f"cats/{tom['id']}/", {"birth_year": 2018}),
        lambda: as_alice.patch(f"cats/{tom['id']}/", {"name": "Zorro"}),
        lambda: as_alice.patch(
            f"cats/{tom['id']}/", {"achievements": [{"achievement_name": "Meows"}]}
        ),
        lambda: as_alice.put(
            f"cats/{tom['id']}/", {"name": "Tom", "color": "red", "birth_year": 2020}
        ),
        lambda: as_staff.patch(
            f"achievements/{Achievement.objects.get(name='Purrs').pk}/",
            {"achievement_name": "Naps"},
        ),
        lambda: as_staff.patch(
            f"achievements/{Achievement.objects.get(name='Naps').pk}/",
            {"achievement_name": "Purrs"},
        ),
        lambda: Achievement.objects.get(name="Meows").cats.add(cats_of_alice.first()),
        lambda: Achievement.objects.get(name="Meows").cats.clear(),
        lambda: cats_of_alice.get(name="Zaza").achievements.clear(),
        lambda: Achievement.objects.get(name="Purrs").cats.remove(cats_of_alice.first()),
        lambda: Cat(**{**Cat.objects.values().get(pk=tom["id"]), "color": "green"}).save(),
        lambda: as_staff.delete(f"achievements/{Achievement.objects.get(name='Purrs').pk}/"),
        lambda: as_bob.delete(f"cats/{bobs['id']}/"),
        lambda: new_cat(as_bob, "Tosca", ["Meows"]),
        bob.delete,
        lambda: as_alice.delete(f"cats/{tom['id']}/"),
    ]
    for write in writes:
        write()
        counts_are_exact(as_alice)


@pytest.mark.parametrize(
    ("change", "kept"),
    [
        ({"name": "Zorro"}, [None, "color=red", "owner=me", "achievement=Purrs"]),
        ({"color": "blue"}, [None, "color=green", "birth_year=2020", "search=to"]),
        ({"birth_year": 2018}, [None, "color=red", "achievement=Purrs"]),
        ({"achievements": [{"achievement_name": "Meows"}]}, [None, "color=red", "search=to"]),
    ],
)
def test_a_change_keeps_the_counts_it_cannot_have_changed(as_alice, change, kept):
    tom = new_cat(as_alice, "Tom", ["Purrs"])
    for query in kept:
        count(as_alice, query)
    assert as_alice.patch(f"cats/{tom['id']}/", change).status_code == 200
    assert [query for query in kept if counts_again(as_alice, query)] == []


def test_a_new_cat_keeps_the_counts_of_other_values(as_alice):
    new_cat(as_alice, "Tom", ["Purrs"])
    for query in ("color=blue", "birth_year=1999", "achievement=Purrs"):
        count(as_alice, query)
    new_cat(as_alice, "Felix")  # red, 2020, no achievements
    assert not any(
        counts_again(as_alice, query)
        for query in ("color=blue", "birth_year=1999", "achievement=Purrs")
    )
    assert counts_again(as_alice, "color=red")


@pytest.mark.parametrize(
    "rows",
    [
        lambda: Cat.objects.values("id", "achievements__id"),  # a row per link, or per lone cat
        lambda: Cat.objects.values("color").distinct(),
    ],
)
def test_a_count_without_a_filter_over_more_than_the_table_is_renewed_by_any_write(as_alice, rows):
    tom = new_cat(as_alice, "Tom", ["Purrs"])
    new_cat(as_alice, "Felix")
    before = cached_count(rows())
    as_alice.patch(
        f"cats/{tom['id']}/",
        {
            "color": "blue",
            "achievements": [{"achievement_name": "Purrs"}, {"achievement_name": "Naps"}],
        },
    )
    assert cached_count(rows()) == before + 1 == rows().count()


def test_the_list_without_filters_counts_the_whole_table_without_compiling_its_query():
    assert whole_table(cats())
    assert whole_table(cat_rows(cats()))  # joined to the owners


@pytest.mark.parametrize(
    ("filtered", "change"),
    [
        # a nested condition
        (lambda: Cat.objects.filter(Q(color="red") | Q(birth_year=1999)), {"color": "blue"}),
        # a column compared with an expression, not a value
        (lambda: Cat.objects.filter(birth_year__gt=Length("name") + 2000), {"birth_year": 1999}),
    ],
)
def test_a_count_of_any_condition_is_renewed_by_a_change_it_depends_on(as_alice, filtered, change):
    felix = new_cat(as_alice, "Felix")  # red, 2020
    assert cached_count(filtered()) == 1
    assert as_alice.patch(f"cats/{felix['id']}/", change).status_code == 200
    assert cached_count(filtered()) == filtered().count() == 0


def test_the_cats_of_one_achievement_are_counted_by_its_links_alone(as_alice):
    new_cat(as_alice, "Tom", ["Purrs", "Naps"])
    new_cat(as_alice, "Felix", ["Purrs"])
    new_cat(as_alice, "Zorro", ["Naps"])
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert count(as_alice, "achievement=Purrs") == 2
    [counted] = [query["sql"] for query in queries if "COUNT(" in query["sql"]]
    assert '"catgram_cat"' not in counted
    assert count(as_alice, "achievement=Purrs&color=red") == 2  # by the cats, as any other
