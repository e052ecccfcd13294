from datetime import datetime, timezone

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.db import IntegrityError, connection, transaction

from django_catgram.models import (
    Achievement,
    AchievementCat,
    Cat,
    LoginSession,
    Username,
    own_field,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner():
    return get_user_model().objects.create_user("owner", password="pw")


def test_a_cat_born_before_1900_is_refused_by_the_database(owner):
    with pytest.raises(IntegrityError), transaction.atomic():
        Cat.objects.create(name="Old", color="black", birth_year=1899, owner=owner)
    assert not Cat.objects.exists()


def test_a_cat_born_in_1900_is_stored(owner):
    Cat.objects.create(name="Old", color="black", birth_year=1900, owner=owner)
    assert Cat.objects.get().birth_year == 1900


def test_the_same_achievement_twice_on_one_cat_is_refused_by_the_database(owner):
    cat = Cat.objects.create(name="Tom", color="black", birth_year=2020, owner=owner)
    achievement = Achievement.objects.create(name="Catches mice")
    AchievementCat.objects.create(cat=cat, achievement=achievement)
    with pytest.raises(IntegrityError), transaction.atomic():
        AchievementCat.objects.create(cat=cat, achievement=achievement)
    assert list(cat.achievements.all()) == [achievement]


def test_achievement_names_are_unique():
    Achievement.objects.create(name="Catches mice")
    with pytest.raises(IntegrityError), transaction.atomic():
        Achievement.objects.create(name="Catches mice")


def test_cats_are_ordered_by_name_then_id(owner):
    second = Cat.objects.create(name="Tom", color="black", birth_year=2020, owner=owner)
    first = Cat.objects.create(name="Felix", color="black", birth_year=2020, owner=owner)
    third = Cat.objects.create(name="Tom", color="white", birth_year=2021, owner=owner)
    assert list(Cat.objects.all()) == [first, second, third]


def test_indexes_serve_the_list_order_and_the_owner_filter():
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, Cat._meta.db_table)
    index_columns = [c["columns"] for c in constraints.values() if c["index"]]
    assert ["name", "id"] in index_columns
    assert ["owner_id", "name", "id"] in index_columns


def test_photos_get_a_random_name_under_cats_images(owner):
    cat = Cat(name="Tom", color="black", birth_year=2020, owner=owner)
    first = Cat._meta.get_field("image").generate_filename(cat, "My Photo.PNG")
    second = Cat._meta.get_field("image").generate_filename(cat, "My Photo.PNG")
    assert first.startswith("cats/images/")
    assert first.endswith(".png")
    assert first != second
    assert "My Photo" not in first


def test_own_field_refuses_what_is_no_field_of_the_model():
    assert own_field(Cat, "name").max_length == 16
    with pytest.raises(FieldDoesNotExist, match="no field 'achievementcat' of its own"):
        own_field(Cat, "achievementcat")  # the link table's relation back to the cat


def test_a_login_session_is_named_by_its_user_and_start():
    started = datetime(2026, 12, 3, 9, 30, tzinfo=timezone.utc)
    assert str(LoginSession(user_id=7, created=started)) == "7 since 2026-12-03 09:30"


def test_a_username_row_is_named_by_its_user_and_the_start_of_its_key():
    assert str(Username(user_id=7, key="ab" * 32)) == "7: abababababab"
