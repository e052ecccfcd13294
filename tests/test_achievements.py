"""Achievements: anyone logged in lists, reads and adds them; only staff rename or delete them."""

import pytest

from django_catgram.models import Achievement, Cat
from tests.conftest import Api

pytestmark = pytest.mark.django_db

PERMISSION_DENIED = {"detail": "You do not have permission to perform this action."}
EXISTS = {"achievement_name": ["achievement with this achievement name already exists."]}


@pytest.fixture
def mice(db):
    return Achievement.objects.create(name="Catches mice")


def as_json(achievement):
    return {"id": achievement.pk, "achievement_name": achievement.name}


def test_the_list_is_a_bare_array_ordered_by_name(as_alice):
    made = [Achievement.objects.create(name=name) for name in ("Purrs", "Catches mice", "Sleeps")]

    response = as_alice.get("achievements/")

    assert response.status_code == 200
    assert response.json() == [as_json(made[1]), as_json(made[0]), as_json(made[2])]


def test_the_list_is_not_paginated(as_alice):
    Achievement.objects.bulk_create(Achievement(name=f"Achievement {n:02}") for n in range(25))

    response = as_alice.get("achievements/", "page=2")

    assert response.status_code == 200
    assert [item["achievement_name"] for item in response.json()] == [
        f"Achievement {n:02}" for n in range(25)
    ]


def test_an_empty_list_is_an_empty_array(as_alice):
    assert as_alice.get("achievements/").json() == []


@pytest.mark.parametrize(("name", "stored"), [("Purrs", "Purrs"), ("  Purrs ", "Purrs")])
def test_anyone_logged_in_adds_an_achievement(as_alice, name, stored):
    response = as_alice.post("achievements/", {"achievement_name": name})

    assert response.status_code == 201
    achievement = Achievement.objects.get()
    assert response.json() == {"id": achievement.pk, "achievement_name": stored}
    assert achievement.name == stored


@pytest.mark.parametrize("name", ["Catches mice", " Catches mice "])
def test_adding_an_existing_name_is_400_on_achievement_name(as_alice, mice, name):
    response = as_alice.post("achievements/", {"achievement_name": name})

    assert response.status_code == 400
    assert response.json() == EXISTS
    assert list(Achievement.objects.all()) == [mice]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "This field is required."),
        ({"achievement_name": ""}, "This field may not be blank."),
        ({"achievement_name": "   "}, "This field may not be blank."),
        ({"achievement_name": "x" * 65}, "Ensure this field has no more than 64 characters."),
        ({"achievement_name": "Pu\x00rrs"}, "Null characters are not allowed."),
        ({"achievement_name": None}, None),
        ({"achievement_name": ["Purrs"]}, None),
    ],
)
def test_an_invalid_name_is_400_on_achievement_name(as_alice, body, message):
    response = as_alice.post("achievements/", body)

    assert response.status_code == 400
    assert list(response.json()) == ["achievement_name"]
    if message:
        assert response.json() == {"achievement_name": [message]}
    assert not Achievement.objects.exists()


def test_a_name_of_64_characters_is_accepted(as_alice):
    assert as_alice.post("achievements/", {"achievement_name": "x" * 64}).status_code == 201


def test_anyone_logged_in_reads_an_achievement(as_alice, mice):
    response = as_alice.get(f"achievements/{mice.pk}/")

    assert response.status_code == 200
    assert response.json() == as_json(mice)


@pytest.mark.parametrize(
    ("method", "body"),
    [
        ("GET", None),
        ("PUT", {"achievement_name": "Sleeps"}),
        ("PATCH", {"achievement_name": "Sleeps"}),
        ("DELETE", None),
    ],
)
def test_an_unknown_achievement_is_404_with_a_detail(as_staff, method, body):
    response = as_staff.request(method, "achievements/123456/", body)

    assert response.status_code == 404
    assert list(response.json()) == ["detail"]


@pytest.mark.parametrize(
    ("method", "body", "status", "name"),
    [
        ("PUT", {"achievement_name": " Hunts mice "}, 200, "Hunts mice"),
        ("PATCH", {"achievement_name": "Hunts mice"}, 200, "Hunts mice"),
        ("PATCH", {}, 200, "Catches mice"),
    ],
)
def test_staff_rename_an_achievement(as_staff, mice, method, body, status, name):
    response = as_staff.request(method, f"achievements/{mice.pk}/", body)

    assert response.status_code == status
    assert response.json() == {"id": mice.pk, "achievement_name": name}
    mice.refresh_from_db()
    assert mice.name == name


def test_staff_delete_an_achievement_and_cats_lose_it(as_staff, alice, mice):
    cat = Cat.objects.create(owner=alice, name="Barsik", color="white", birth_year=2020)
    cat.achievements.add(mice)

    response = as_staff.delete(f"achievements/{mice.pk}/")

    assert response.status_code == 204
    assert response.content == b""
    assert not Achievement.objects.exists()
    assert Cat.objects.get() == cat
    assert as_staff.get(f"cats/{cat.pk}/").json()["achievements"] == []


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_renaming_to_a_taken_name_is_400_and_changes_nothing(as_staff, mice, method):
    purrs = Achievement.objects.create(name="Purrs")

    response = as_staff.request(
        method, f"achievements/{purrs.pk}/", {"achievement_name": "Catches mice"}
    )

    assert response.status_code == 400
    assert response.json() == EXISTS
    purrs.refresh_from_db()
    assert purrs.name == "Purrs"


def test_renaming_to_its_own_name_is_fine(as_staff, mice):
    response = as_staff.put(f"achievements/{mice.pk}/", {"achievement_name": "Catches mice"})

    assert response.status_code == 200
    assert response.json() == as_json(mice)


@pytest.mark.parametrize("body", [{}, {"achievement_name": ""}, {"achievement_name": "x" * 65}])
def test_put_needs_a_valid_name(as_staff, mice, body):
    response = as_staff.put(f"achievements/{mice.pk}/", body)

    assert response.status_code == 400
    assert list(response.json()) == ["achievement_name"]
    mice.refresh_from_db()
    assert mice.name == "Catches mice"


ROWS = [
    ("GET", "achievements/", None, (401, 200, 200)),
    ("POST", "achievements/", {"achievement_name": "Sleeps"}, (401, 201, 201)),
    ("GET", "achievements/{id}/", None, (401, 200, 200)),
    ("PUT", "achievements/{id}/", {"achievement_name": "Sleeps"}, (401, 403, 200)),
    ("PATCH", "achievements/{id}/", {"achievement_name": "Sleeps"}, (401, 403, 200)),
    ("DELETE", "achievements/{id}/", None, (401, 403, 204)),
]


@pytest.mark.parametrize("caller", ["anonymous", "user", "staff"])
@pytest.mark.parametrize(
    ("method", "path", "body", "statuses"), ROWS, ids=[f"{m} {p}" for m, p, _, _ in ROWS]
)
def test_each_row_for_each_caller(
    anonymous, as_alice, as_staff, mice, caller, method, path, body, statuses
):
    client = {"anonymous": anonymous, "user": as_alice, "staff": as_staff}[caller]
    expected = statuses[("anonymous", "user", "staff").index(caller)]

    response = client.request(method, path.format(id=mice.pk), body)

    assert response.status_code == expected
    if expected == 401:
        assert list(response.json()) == ["detail"]
        assert response["WWW-Authenticate"].startswith("Bearer")
    if expected == 403:
        assert response.json() == PERMISSION_DENIED
    if expected >= 400:  # nothing changed
        assert list(Achievement.objects.values_list("name", flat=True)) == ["Catches mice"]


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
def test_a_user_gets_403_not_404_for_an_unknown_achievement(as_alice, method):
    response = as_alice.request(method, "achievements/123456/", {"achievement_name": "Sleeps"})

    assert response.status_code == 403
    assert response.json() == PERMISSION_DENIED


def test_the_token_scheme_works_too(client, alice, anonymous):
    token = anonymous.log_in("alice").token

    response = Api(client, token, scheme="Token").post("achievements/", {"achievement_name": "A"})

    assert response.status_code == 201
