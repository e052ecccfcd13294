from io import StringIO

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command

from django_catgram.models import Achievement, AchievementCat, Cat

pytestmark = pytest.mark.django_db


def seed(*args):
    out = StringIO()
    call_command("catgram_seed", *args, stdout=out)
    return out.getvalue()


def test_without_options_it_makes_a_small_friendly_demo_set():
    seed("--admin")
    assert list(get_user_model().objects.values_list("username", flat=True).order_by("id")) == [
        "user0",
        "user1",
        "user2",
    ]
    assert Cat.objects.count() == 12
    assert Cat.objects.filter(name="Barsik").exists()
    assert Achievement.objects.filter(name="Catches mice").exists()
    assert AchievementCat.objects.count() == 24
    admin = authenticate(username="user0", password="catgram-demo")
    assert admin is not None
    assert admin.is_superuser
    assert not get_user_model().objects.get(username="user1").is_staff


def test_sizes_and_password_are_options():
    output = seed(
        "--users", "4", "--cats", "30", "--achievements", "12", "--per-cat", "3",
        "--password", "s3cret-pass", "--batch-size", "7",
    )  # fmt: skip
    assert "Seeded 4 users, 12 achievements, 30 cats with 90 achievement links" in output
    assert get_user_model().objects.count() == 4
    assert Cat.objects.count() == 30
    assert Achievement.objects.count() == 12
    assert AchievementCat.objects.count() == 90
    assert set(Cat.objects.values_list("owner__username", flat=True)) == {
        "user0", "user1", "user2", "user3",
    }  # fmt: skip
    assert all(len(name) <= 16 for name in Cat.objects.values_list("name", flat=True))
    assert authenticate(username="user3", password="s3cret-pass") is not None


def test_if_empty_leaves_an_existing_database_alone():
    seed()
    assert "nothing seeded" in seed("--if-empty")
    assert Cat.objects.count() == 12


def test_seeding_again_reuses_users_and_achievements():
    seed()
    seed()
    assert get_user_model().objects.count() == 3
    assert Achievement.objects.count() == 8
    assert Cat.objects.count() == 24


def test_more_achievements_per_cat_than_exist_gives_each_cat_all_of_them():
    seed("--cats", "2", "--achievements", "2", "--per-cat", "5")
    assert AchievementCat.objects.count() == 4


def test_cats_without_users_is_an_error():
    with pytest.raises(SystemExit):
        seed("--users", "0", "--cats", "1")
    assert not Cat.objects.exists()


@pytest.mark.parametrize(("option", "value"), [("--cats", "-1"), ("--batch-size", "0")])
def test_a_size_out_of_range_is_an_error(option, value):
    with pytest.raises(CommandError, match=f"argument {option}: invalid"):
        seed(option, value)
    assert not get_user_model().objects.exists()
