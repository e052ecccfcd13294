"""On PostgreSQL, the list's queries read the index made for them, whatever the planner
guesses of where in the order the matches are."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from django_catgram.cats import cats
from django_catgram.filters import MOST_FOUND_FIRST, filter_cats, in_page_order
from django_catgram.models import Achievement, AchievementCat, Cat

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plans"),
]


@pytest.fixture
def many_cats(alice):
    """300 cats, the last in the order of names the 30 Toms, each with one of two achievements."""
    mice, purrs = (Achievement.objects.create(name=name) for name in ("Catches mice", "Purrs"))
    names = [f"{'Tom' if n >= 270 else 'Cat'} {n:03}" for n in range(300)]
    made = Cat.objects.bulk_create(
        Cat(name=name, color="red", birth_year=2020, owner=alice) for name in names
    )
    AchievementCat.objects.bulk_create(
        AchievementCat(cat=cat, achievement=mice if n % 10 else purrs) for n, cat in enumerate(made)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("SET LOCAL enable_seqscan = off")  # the tables are small


def page_plan(as_alice, query):
    """The plan of the page query that ``GET cats/?query`` runs."""
    with CaptureQueriesContext(connection) as queries:
        assert as_alice.get("cats/", query).status_code == 200
    [page] = [query["sql"] for query in queries if "LIMIT" in query["sql"]]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {page}")
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.parametrize("ordering", ["", "&ordering=name", "&ordering=-name"])
def test_a_page_of_a_search_is_found_by_the_trigram_index_in_any_order_of_names(
    as_alice, many_cats, ordering
):
    assert "catgram_cat_name_trgm" in page_plan(as_alice, f"search=tom{ordering}")


def test_a_search_too_short_for_a_trigram_walks_the_names_in_order(as_alice, many_cats):
    assert "catgram_cat_name_id" in page_plan(as_alice, "search=to")


def test_a_search_of_many_cats_walks_the_names_in_order(rf, alice):
    request = rf.get("/api/cats/", {"search": "tom"})
    request.user = alice
    searched = filter_cats(request, cats())
    assert in_page_order(searched, MOST_FOUND_FIRST + 1) is searched
    assert in_page_order(searched, MOST_FOUND_FIRST) is not searched


def test_the_cats_of_an_achievement_are_found_through_the_index_by_achievement(
    rf, alice, many_cats
):
    request = rf.get("/api/cats/", {"achievement": "Purrs"})
    request.user = alice
    counted = filter_cats(request, cats()).order_by().explain()
    assert "catgram_achievementcat_by_ach" in counted
