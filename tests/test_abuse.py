"""Hostile bodies and parameters: each a 4xx in the contract's shape, never a 500."""

import json

import pytest

from django_catgram.models import Achievement, Cat
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def post_raw(api, path, body):
    headers = {"Authorization": f"Bearer {api.token}"}
    return api.client.post(f"/api/{path}", body, content_type="application/json", headers=headers)


@pytest.mark.parametrize("depth", [50, 5_000, 200_000])
def test_deeply_nested_json_is_400(as_alice, depth):
    response = post_raw(as_alice, "cats/", "[" * depth + "]" * depth)
    assert response.status_code == 400
    assert response.json()
    assert not Cat.objects.exists()


def test_deeply_nested_objects_inside_a_valid_body_are_400(as_alice):
    nested = "{}"
    for _ in range(3000):
        nested = f'{{"a": {nested}}}'
    body = f'{{"name": "Tom", "color": "red", "birth_year": 2020, "achievements": [{nested}]}}'
    response = post_raw(as_alice, "cats/", body)
    assert response.status_code == 400
    assert not Cat.objects.exists()


def test_a_huge_list_of_achievements_is_refused_or_stored_whole_never_a_500(as_alice):
    body = {
        "name": "Tom",
        "color": "red",
        "birth_year": 2020,
        "achievements": [{"achievement_name": f"A {index}"} for index in range(2000)],
    }
    response = as_alice.post("cats/", body)
    assert (response.status_code, response.json()) == (
        400,
        {"achievements": ["Ensure this field has no more than 100 elements."]},
    )
    assert not Cat.objects.exists()
    assert not Achievement.objects.exists()


def test_unknown_fields_are_ignored_as_drf_does(as_alice, bob):
    body = {
        "name": "Tom",
        "color": "red",
        "birth_year": 2020,
        "id": 999,
        "owner": bob.pk,
        "age": 1,
        "image_url": "/media/evil.png",
        "is_staff": True,
    }
    response = as_alice.post("cats/", body)
    assert response.status_code == 201
    cat = Cat.objects.get()
    assert cat.pk != 999
    assert cat.owner.username == "alice"
    assert not cat.image


@pytest.mark.parametrize(
    "value", [10**30, -(10**30), 1e308, "1e400", "9" * 5000, True, [2020], {"year": 2020}]
)
def test_huge_or_odd_birth_years_are_400_on_birth_year(as_alice, value):
    response = as_alice.post("cats/", {"name": "Tom", "color": "red", "birth_year": value})
    assert response.status_code == 400
    assert list(response.json()) == ["birth_year"]


@pytest.mark.parametrize(
    "path",
    [
        "cats/-1/",
        "cats/0/",
        f"cats/{2**63}/",
        f"cats/{10**40}/",
        "achievements/-7/",
        f"achievements/{10**40}/",
        "users/-1/",
        f"users/{10**40}/",
    ],
)
def test_negative_and_huge_ids_are_404(as_staff, path):
    # DELETE users/{id}/ needs the caller's password; the other DELETEs ignore the body.
    for response in (as_staff.get(path), as_staff.delete(path, {"current_password": PASSWORD})):
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found."}


@pytest.mark.parametrize(
    "query",
    [
        f"owner={10**40}",
        f"birth_year={10**40}",
        f"birth_year_min=-{10**40}",
        "search=%00",
        "achievement=%00",
        "color=%00",
        f"page={10**40}",
        "ordering=%00",
    ],
)
def test_hostile_query_parameters_are_answered_without_a_500(as_alice, query):
    response = as_alice.get("cats/", query)
    assert response.status_code in (200, 400, 404)
    assert isinstance(response.json(), dict)


def test_a_body_that_is_json_but_not_an_object_is_400(as_alice):
    for body in ("[]", '"cat"', "42", "null", "true"):
        response = post_raw(as_alice, "cats/", body)
        assert response.status_code == 400, body
        assert isinstance(response.json(), dict)


def test_a_json_body_with_a_wrong_content_type_is_still_read_or_refused_cleanly(as_alice):
    body = json.dumps({"name": "Tom", "color": "red", "birth_year": 2020})
    headers = {"Authorization": f"Bearer {as_alice.token}"}
    response = as_alice.client.post("/api/cats/", body, content_type="text/plain", headers=headers)
    assert response.status_code in (201, 400, 415)
