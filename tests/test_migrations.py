from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from django_catgram.cats import cats
from django_catgram.filters import filter_cats
from django_catgram.models import Achievement, Cat, CatCount
from tests.test_counts import assert_kept_counts_are_the_cats


@pytest.mark.django_db
def test_the_shipped_migrations_match_the_models():
    out = StringIO()
    call_command("makemigrations", "catgram", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL index (pg_trgm)")
@pytest.mark.parametrize("term", ["bar", "Tom", "ы"])
def test_a_search_counts_with_the_trigram_index(rf, alice, term):
    Cat.objects.bulk_create(
        Cat(name=f"Cat {number}", color="red", birth_year=2020, owner=alice)
        for number in range(200)
    )
    request = rf.get("/api/cats/", {"search": term})
    request.user = alice
    searched = filter_cats(request, cats())
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE catgram_cat")
        cursor.execute("SET LOCAL enable_seqscan = off")  # the table is small
    # The page's plan depends on the table's size (bench/RESULTS.md shows it at 1,000,000 cats).
    assert "catgram_cat_name_trgm" in searched.order_by().explain()


def cat_indexes():
    with connection.cursor() as cursor:
        return set(connection.introspection.get_constraints(cursor, Cat._meta.db_table))


@pytest.mark.django_db(transaction=True)
def test_the_trigram_index_is_dropped_and_made_again_with_its_migration():
    trigram = {"catgram_cat_name_trgm"} if connection.vendor == "postgresql" else set()
    before = cat_indexes()
    sql = StringIO()
    call_command("sqlmigrate", "catgram", "0006", "--backwards", stdout=sql)
    assert "trigram index" in sql.getvalue()
    try:
        call_command("migrate", "catgram", "0005", verbosity=0)
        assert before - cat_indexes() == trigram
    finally:
        call_command("migrate", "catgram", verbosity=0)
    assert cat_indexes() == before >= trigram


@pytest.mark.django_db(transaction=True)
def test_the_kept_counts_are_dropped_and_made_again_from_the_cats_with_their_migration(alice):
    tom = Cat.objects.create(name="Tom", color="red", birth_year=2020, owner=alice)
    tom.achievements.add(Achievement.objects.create(name="Purrs"))
    try:
        call_command("migrate", "catgram", "0007", verbosity=0)
        assert CatCount._meta.db_table not in connection.introspection.table_names()
        Cat.objects.create(name="Felix", color="blue", birth_year=2018, owner=alice)
    finally:
        call_command("migrate", "catgram", verbosity=0)
    assert_kept_counts_are_the_cats()  # filled from the cats, Felix too
    Cat.objects.filter(name="Felix").update(color="red")
    assert_kept_counts_are_the_cats()  # and kept by the triggers again
