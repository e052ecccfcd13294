"""The cats list's count: kept by the database (years and one owner, colour or achievement)
or cached, exact after every write, and kept by writes that cannot have changed it."""

from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.db.models.functions import Length
from django.test.utils import CaptureQueriesContext

from django_catgram.cats import cats
from django_catgram.counts import cached_count, kept_count, rows_tag, tag_key, whole_table
from django_catgram.models import Achievement, AchievementCat, Cat, CatCount
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


KEPT = [
    None,
    "owner=me",
    "color=red",
    "birth_year=2020",
    "birth_year_min=2019&birth_year_max=2021",
    "achievement=Purrs",
    "achievement=Purrs&birth_year_max=2020&ordering=-name",
    "owner=me&birth_year_min=2020&ordering=-name",
]
# Kept only on PostgreSQL and SQLite (migration 0008).
KEEPS = connection.vendor in ("postgresql", "sqlite")


def test_a_repeated_list_does_not_count_again(as_alice, django_assert_num_queries):
    new_cat(as_alice)
    assert count(as_alice, "search=to") == 1
    with django_assert_num_queries(3):  # the token's user, the page, its achievements
        assert count(as_alice, "search=to") == 1


@pytest.mark.skipif(not KEEPS, reason="counts kept on PostgreSQL and SQLite")
@pytest.mark.parametrize("query", KEPT)
def test_a_kept_count_reads_the_counts_and_never_counts_the_cats(
    as_alice, query, django_assert_num_queries
):
    new_cat(as_alice, achievements=["Purrs"])
    cache.clear()
    for _ in range(2):  # never cached either
        with django_assert_num_queries(4) as queries:  # the user, the count, the page, achievements
            assert count(as_alice, query) == 1
        [counted] = [item["sql"] for item in queries if "catgram_catcount" in item["sql"]]
        assert 'catgram_cat"' not in counted
        assert not any("COUNT(" in item["sql"] for item in queries)


@pytest.mark.skipif(not KEEPS, reason="counts kept on PostgreSQL and SQLite")
def test_writes_that_send_no_signals_show_at_once_in_a_kept_count(as_alice, alice):
    new_cat(as_alice, achievements=["Purrs"])
    assert [count(as_alice, query) for query in KEPT] == [1] * len(KEPT)
    Cat.objects.bulk_create([Cat(name="Bulk", color="red", birth_year=2020, owner=alice)])
    assert [count(as_alice, query) for query in KEPT] == [2, 2, 2, 2, 2, 1, 1, 2]
    Cat.objects.filter(name="Bulk").update(birth_year=2021, color="blue")
    assert [count(as_alice, query) for query in KEPT] == [2, 2, 1, 1, 2, 1, 1, 2]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {AchievementCat._meta.db_table} (cat_id, achievement_id) "
            f"SELECT cat.id, achievement.id FROM {Cat._meta.db_table} AS cat, "
            f"{Achievement._meta.db_table} AS achievement WHERE cat.name = 'Bulk'"
        )
    assert [count(as_alice, query) for query in KEPT] == [2, 2, 1, 1, 2, 2, 1, 2]
    assert_kept_counts_are_the_cats()


def test_writes_that_send_no_signals_do_not_show_in_a_cached_count_until_it_expires(
    as_alice, alice
):
    new_cat(as_alice)
    assert count(as_alice, "search=to") == 1
    Cat.objects.bulk_create([Cat(name="Toto", color="red", birth_year=2020, owner=alice)])
    assert count(as_alice, "search=to") == 1  # served from the cache
    cache.clear()  # as when the count expires
    assert count(as_alice, "search=to") == 2


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
        assert count(as_alice, f"birth_year={2**70}") == 0


def raw(*statements):
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


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


def assert_kept_counts_are_the_cats():
    """The counts that are kept (those not zero) are those of the cats and links there are."""
    if not KEEPS:
        return
    cats, links = (
        Cat.objects.all(),
        AchievementCat.objects.annotate(birth_year=F("cat__birth_year")),
    )
    made = [
        ("all", None, cats),
        ("owner", "owner_id", cats),
        ("color", "color", cats),
        ("achievement", "achievement_id", links),
    ]
    expected = {}
    for dimension, column, rows in made:
        groups = rows.values(*filter(None, [column]), "birth_year").order_by()
        for group in groups.annotate(cats=Count("*")):
            value = "" if column is None else str(group[column])
            expected[(dimension, value, group["birth_year"])] = group["cats"]
    kept = CatCount.objects.exclude(cats=0).values_list("dimension", "value", "birth_year", "cats")
    assert {tuple(key): cats for *key, cats in kept} == expected


def counts_are_exact(api, signalled=True):
    """Every query's count as served equals its count made afresh (which it then caches), and
    the kept counts are those of the cats; after a write that sent no signals, the kept counts
    at once, the others once the cached counts expire."""
    if not signalled:
        kept = KEPT if KEEPS else []
        assert [count(api, query) for query in kept] == [len(ids(api, query)) for query in kept]
        cache.clear()
    served = [count(api, query) for query in QUERIES]
    cache.clear()
    assert served == [count(api, query) for query in QUERIES]
    assert served == [Cat.objects.filter(pk__in=ids(api, query)).count() for query in QUERIES]
    assert_kept_counts_are_the_cats()


def ids(api, query):
    """The ids of every cat the list with ``query`` shows, page by page."""
    found, page = [], 1
    while True:
        response = api.get("cats/", f"{query or ''}&page={page}")
        found += [cat["id"] for cat in response.json()["results"]]
        if response.json()["next"] is None:
            return found
        page += 1


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
    unsignalled = [
        lambda: Cat.objects.bulk_create(
            Cat(name=name, color="red", birth_year=2019, owner_id=tom["owner"])
            for name in ("Tosca", "Tim")
        ),
        lambda: Cat.objects.filter(name__startswith="T").update(birth_year=F("birth_year") + 1),
        lambda: AchievementCat.objects.bulk_create(
            AchievementCat(cat=cat, achievement=Achievement.objects.get(name="Meows"))
            for cat in Cat.objects.exclude(achievements__name="Meows")
        ),
        lambda: AchievementCat.objects.filter(cat__name="Tim").delete(),
        lambda: raw(f"UPDATE {Cat._meta.db_table} SET color = 'green' WHERE name = 'Tosca'"),
        lambda: raw(  # a cat, then its links
            f"DELETE FROM {Cat._meta.db_table} WHERE name = 'Tim'",
            f"DELETE FROM {AchievementCat._meta.db_table} WHERE cat_id NOT IN "
            f"(SELECT id FROM {Cat._meta.db_table})",
        ),
        lambda: call_command("catgram_seed", "--users", "2", "--cats", "9", stdout=StringIO()),
        lambda: Cat.objects.filter(birth_year__lt=2015).delete(),
        lambda: Achievement.objects.all().delete(),
    ]
    for write in unsignalled:
        write()
        counts_are_exact(as_alice, signalled=False)


@pytest.mark.parametrize(
    ("change", "kept"),
    [
        # Counts that are cached, not kept: two of owner, colour and achievement, or a search.
        ({"name": "Zorro"}, ["color=red&owner=me", "color=red&achievement=Purrs"]),
        ({"color": "blue"}, ["owner=me&achievement=Purrs", "search=to"]),
        ({"birth_year": 2018}, ["color=red&achievement=Purrs", "search=to"]),
        ({"achievements": [{"achievement_name": "Meows"}]}, ["owner=me&color=red", "search=to"]),
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
    others = ["color=blue&achievement=Purrs", "birth_year=1999&achievement=Purrs"]
    for query in [*others, "color=red&achievement=Purrs"]:
        count(as_alice, query)
    new_cat(as_alice, "Felix")  # red, 2020, no achievements
    assert not any(counts_again(as_alice, query) for query in others)
    assert counts_again(as_alice, "color=red&achievement=Purrs")


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


def kept(queryset):
    return kept_count(queryset.order_by("name", "id"))


@pytest.mark.skipif(not KEEPS, reason="counts kept on PostgreSQL and SQLite")
def test_only_years_and_one_owner_colour_or_achievement_are_kept(alice, bob):
    tom = Cat.objects.create(name="Tom", color="red", birth_year=2020, owner=alice)
    tom.achievements.add(Achievement.objects.create(name="Purrs"))
    Cat.objects.create(name="Felix", color="blue", birth_year=2018, owner=bob)
    cats = Cat.objects.all()
    assert kept(cats.filter(birth_year__gt=2018, birth_year__lt=2021)) == 1
    assert kept(cats.filter(owner__pk=bob.pk, birth_year=2018)) == 1
    assert kept(cats.filter(achievements__name="Purrs", birth_year__gte=2020)) == 1
    assert kept(cats.filter(achievements__name="Naps")) == 0  # no such achievement
    assert kept(cats.filter(owner__pk=2**70)) == 0  # no such user, without a query
    for cached in (
        cats.filter(color="red", owner__pk=alice.pk),  # two of them
        cats.filter(Q(color="red") | Q(birth_year=2018)),
        cats.exclude(color="red"),
        cats.filter(birth_year__in=[2018, 2020]),
        cats.filter(name="Tom"),
        cats.filter(birth_year__gt=F("id")),
        cats.values("achievements__id"),  # a row per link
        cats.distinct(),
    ):
        assert kept(cached) is None


def test_counts_emptied_before_their_cats_are_not_made_negative(as_alice):
    new_cat(as_alice, achievements=["Purrs"])
    CatCount.objects.all().delete()  # as a flush on SQLite may, in any order
    Cat.objects.all().delete()
    assert not CatCount.objects.filter(cats__lt=0).exists()
    new_cat(as_alice, achievements=["Purrs"])
    assert_kept_counts_are_the_cats()


def test_a_count_of_the_whole_table_is_cached_and_renewed_by_a_new_cat(
    as_alice, django_assert_num_queries
):
    """As on a database that keeps no counts."""
    new_cat(as_alice)
    assert cached_count(cats()) == 1
    with django_assert_num_queries(0):
        assert cached_count(cats()) == 1
    new_cat(as_alice, "Felix")
    assert cached_count(cats()) == 2


def test_an_impossible_cached_count_is_zero_without_a_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert cached_count(Cat.objects.filter(owner__pk=2**70, color="red")) == 0


def test_with_a_cache_that_keeps_nothing_every_count_is_counted(as_alice, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    new_cat(as_alice)
    assert [count(as_alice, "search=to") for _ in range(2)] == [1, 1]
    assert counts_again(as_alice, "search=to")


@pytest.mark.skipif(not KEEPS, reason="counts kept on PostgreSQL and SQLite")
def test_a_kept_count_says_what_it_counts(as_alice):
    new_cat(as_alice)  # red, 2020
    assert str(CatCount.objects.get(dimension="color")) == "color red 2020: 1"
