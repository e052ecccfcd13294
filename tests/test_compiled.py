"""Queries compiled once per shape: the same rows as the ORM's, on any parameters."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from django_catgram import compiled
from django_catgram.models import Cat

pytestmark = pytest.mark.django_db


def names_of(cat_ids):
    return compiled.rows(
        Cat,
        ("test: names", len(cat_ids)),
        lambda: Cat.objects.filter(pk__in=cat_ids).order_by("pk").values_list("pk", "name"),
        cat_ids,
    )


def test_a_shape_compiled_once_gives_each_calls_own_rows(alice):
    cats = Cat.objects.bulk_create(
        Cat(name=f"Cat {n}", color="red", birth_year=2020, owner=alice) for n in range(4)
    )
    first, second = [cat.pk for cat in cats[:2]], [cat.pk for cat in cats[2:]]
    assert names_of(first) == [(cat.pk, cat.name) for cat in cats[:2]]
    with CaptureQueriesContext(connection) as queries:
        assert names_of(second) == [(cat.pk, cat.name) for cat in cats[2:]]
    assert len(queries) == 1


def test_parameters_that_are_not_the_querys_are_refused(alice):
    with pytest.raises(ValueError, match="parameters"):
        compiled.rows(
            Cat,
            "test: wrong parameters",
            lambda: Cat.objects.filter(pk=1).values_list("pk"),
            [2],
        )


def test_values_the_orm_converts_come_back_converted_each_time(alice):
    users = get_user_model().objects
    # On SQLite a boolean comes back as 0 or 1 without the ORM's converter.
    rows = [
        compiled.rows(
            get_user_model(),
            "test: is_active",
            lambda: users.filter(pk=alice.pk).values_list("is_active"),
            [alice.pk],
        )
        for _ in range(2)
    ]
    assert rows == [[(True,)], [(True,)]]
    assert type(rows[1][0][0]) is bool


def test_converted_values_are_those_of_the_orm(alice):
    users = get_user_model().objects
    alice.last_login = timezone.now()
    alice.save()
    columns = ("is_active", "is_staff", "last_login", "date_joined")
    rows = [
        compiled.rows(
            get_user_model(),
            "test: converted columns",
            lambda: users.filter(pk=alice.pk).values_list(*columns),
            [alice.pk],
        )
        for _ in range(2)
    ]
    assert rows[1] == rows[0] == list(users.filter(pk=alice.pk).values_list(*columns))


def test_a_query_that_matches_nothing_before_it_runs_has_no_rows():
    huge = 2**70  # beyond the column: the ORM matches nothing without asking the database
    assert (
        compiled.rows(
            Cat, "test: huge id", lambda: Cat.objects.filter(pk=huge).values_list("pk"), [huge]
        )
        == []
    )


def test_limits_give_the_rows_of_the_querys_slice_by_the_sql_compiled_once(alice):
    Cat.objects.bulk_create(
        Cat(name=f"Cat {n}", color="red", birth_year=2020, owner=alice) for n in range(5)
    )
    names = Cat.objects.order_by("-name").values_list("name")
    built = []

    def build():
        built.append(True)
        return names

    for limits in [(0, 2), (2, 4), (4, 6), (3, 3), (9, 12)]:
        rows = compiled.rows(Cat, "test: a page", build, [], limits=limits)
        assert rows == list(names[slice(*limits)])
    assert len(built) == 2  # at the first call: the query, and its slice to check the LIMIT


@pytest.mark.skipif(
    not connection.features.has_select_for_update, reason="FOR UPDATE follows a slice's LIMIT"
)
def test_a_query_whose_slice_is_not_its_sql_and_a_limit_is_read_through_the_orm(alice):
    Cat.objects.bulk_create(
        Cat(name=f"Cat {n}", color="red", birth_year=2020, owner=alice) for n in range(5)
    )
    names = Cat.objects.order_by("name").select_for_update().values_list("name")
    built = []

    def build():
        built.append(True)
        return names

    for limits in [(0, 2), (2, 4)]:
        rows = compiled.rows(Cat, "test: a locked page", build, [], limits=limits)
        assert rows == list(names[slice(*limits)])
    assert len(built) == 4  # the query and its slice at the first call, then the ORM's slices
