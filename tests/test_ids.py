"""What an id is, everywhere: ASCII digits within the column's range. Anything else is an unknown
id in a path (404) and an invalid value in a filter (400)."""

from urllib.parse import urlencode

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.urls import reverse

from django_catgram.models import Achievement, Cat, LoginSession

pytestmark = pytest.mark.django_db

NOT_FOUND = {"detail": "Not found."}
NOT_AN_OWNER = "Enter a user id or “me”."
PATHS = ["cats/{}/", "achievements/{}/", "users/{}/", "auth/sessions/{}/"]


def not_ids(pk):
    """Each spelling of ``pk`` (or of a number) that is not an id, and ids past any column."""
    digits = str(pk)
    return [
        digits.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")),  # Arabic-Indic
        digits.translate(str.maketrans("0123456789", "𝟎𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖𝟗")),  # mathematical bold
        digits.translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")),  # superscript
        f"+{digits}",
        f"-{digits}",
        f" {digits}",
        f"{digits} ",
        f"{digits[0]}_{digits[1:] or 0}",
        f"0x{digits}",
        f"{digits}.0",
        f"{digits}e0",
        str(2**63),  # past a 64-bit column
        "9" * 40,
    ]


@pytest.fixture
def spellings(alice):
    """Rows of alice's id in every table, so that a spelling of it taken for it finds one; the
    spellings."""
    Achievement.objects.create(pk=alice.pk, name="Purrs")
    Cat.objects.create(pk=alice.pk, name="Tom", color="red", birth_year=2020, owner_id=alice.pk)
    return not_ids(alice.pk)


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE"])
def test_a_path_with_what_is_not_an_id_is_404(as_alice, spellings, path, method):
    answers = {
        spelling: as_alice.request(method, path.format(spelling), {}) for spelling in spellings
    }
    assert {
        spelling: (response.status_code, response.json()) for spelling, response in answers.items()
    } == dict.fromkeys(spellings, (404, NOT_FOUND))


@pytest.mark.parametrize(
    ("method", "path"), [("GET", path) for path in PATHS[:3]] + [("DELETE", PATHS[3])]
)
def test_the_largest_id_a_column_holds_is_an_id_not_found(as_alice, method, path):
    response = as_alice.request(method, path.format(2**63 - 1))
    assert (response.status_code, response.json()) == (404, NOT_FOUND)


def test_an_owner_filter_with_what_is_not_an_id_is_400(as_alice, spellings):
    for spelling in spellings:
        response = as_alice.get("cats/", query=urlencode({"owner": spelling}))
        assert (spelling, response.status_code, response.json()) == (
            spelling,
            400,
            {"owner": [NOT_AN_OWNER]},
        )


@pytest.mark.parametrize(
    ("owner", "count"), [("{pk}", 1), ("00{pk}", 1), ("{largest}", 0), ("me", 1)]
)
def test_an_owner_filter_takes_ascii_digits_and_me(as_alice, alice, spellings, owner, count):
    owner = owner.format(pk=alice.pk, largest=largest_user_id())
    response = as_alice.get("cats/", query=f"owner={owner}")
    assert (response.status_code, response.json()["count"]) == (200, count)


def test_an_owner_filter_past_the_user_ids_column_is_400(as_alice):
    response = as_alice.get("cats/", query=f"owner={largest_user_id() + 1}")
    assert (response.status_code, response.json()) == (400, {"owner": [NOT_AN_OWNER]})


def largest_user_id():
    """The largest id of the user table's column (32 bits for auth.User on PostgreSQL)."""
    return connection.ops.integer_field_range(get_user_model()._meta.pk.get_internal_type())[1]


def test_a_session_id_is_read_by_the_same_rule(as_alice, alice):
    session = LoginSession.objects.get(user=alice)
    assert as_alice.delete(f"auth/sessions/{session.pk}/").status_code == 204


def test_the_paths_are_reversed_with_their_ids(alice):
    assert reverse("catgram:cat-detail", kwargs={"cat_id": 7}) == "/api/cats/7/"
    assert reverse("catgram:user-detail", kwargs={"user_id": "me"}) == "/api/users/me/"
    assert reverse("catgram:user-detail", kwargs={"user_id": alice.pk}) == f"/api/users/{alice.pk}/"
