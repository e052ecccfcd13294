"""Cats through real URLs: the cat object, writing rules, ownership, atomicity and query counts."""

import pytest
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.utils import timezone

from django_catgram.models import Achievement, Cat
from tests.conftest import (
    PASSWORD,
    Api,
    cat_body,
    create_cat,
    files_of,
    photo_name,
    png_url,
    stored_photos,
)

pytestmark = pytest.mark.django_db

THIS_YEAR = timezone.localdate().year
PERMISSION_DENIED = {"detail": "You do not have permission to perform this action."}


def achievements_of(cat_json):
    return [item["achievement_name"] for item in cat_json["achievements"]]


def db_achievements(cat_id):
    return sorted(Cat.objects.get(pk=cat_id).achievements.values_list("name", flat=True))


def a_cat(owner, name="Barsik", achievements=(), **fields):
    cat = Cat.objects.create(
        owner=owner, name=name, **{"color": "darkgray", "birth_year": 2020, **fields}
    )
    cat.achievements.set(Achievement.objects.get_or_create(name=n)[0] for n in achievements)
    return cat


# The cat object


def test_creating_a_cat_answers_201_with_the_whole_cat_object(as_alice, alice):
    response = as_alice.post(
        "cats/",
        cat_body(achievements=[{"achievement_name": "Catches mice"}], birth_year="2020"),
    )

    assert response.status_code == 201
    cat = Cat.objects.get()
    mice = Achievement.objects.get(name="Catches mice")
    assert response.json() == {
        "id": cat.pk,
        "name": "Barsik",
        "color": "darkgray",
        "birth_year": 2020,
        "achievements": [{"id": mice.pk, "achievement_name": "Catches mice"}],
        "owner": alice.pk,
        "age": THIS_YEAR - 2020,
        "image": None,
        "image_url": None,
        "thumbnail": None,
        "thumbnail_url": None,
    }
    assert (cat.name, cat.color, cat.birth_year, cat.owner) == ("Barsik", "darkgray", 2020, alice)


def test_reading_a_cat_gives_the_same_object_with_absolute_image_and_storage_url(
    as_alice, as_bob, alice
):
    created = create_cat(as_alice, image=png_url(), achievements=[{"achievement_name": "Purrs"}])

    response = as_bob.get(f"cats/{created['id']}/")

    assert response.status_code == 200
    assert response.json() == created
    name = photo_name(created)
    assert response.json()["image_url"] == f"/media/{name}"
    assert response.json()["image"] == f"http://testserver/media/{name}"
    assert response.json()["owner"] == alice.pk


def test_the_owner_is_the_caller_and_read_only(as_alice, alice, bob):
    response = as_alice.post("cats/", cat_body(owner=bob.pk, age=3, id=999))

    assert response.status_code == 201
    assert response.json()["owner"] == alice.pk
    assert response.json()["age"] == THIS_YEAR - 2020
    assert response.json()["id"] != 999
    assert Cat.objects.get().owner == alice

    patched = as_alice.patch(f"cats/{response.json()['id']}/", {"owner": bob.pk, "age": 1})
    assert patched.status_code == 200
    assert patched.json()["owner"] == alice.pk
    assert Cat.objects.get().owner == alice


@pytest.mark.parametrize(
    ("birth_year", "age"), [(1900, THIS_YEAR - 1900), (2020, THIS_YEAR - 2020), (THIS_YEAR, 0)]
)
def test_age_is_the_current_year_minus_the_birth_year(as_alice, birth_year, age):
    assert create_cat(as_alice, birth_year=birth_year)["age"] == age


def test_an_unknown_cat_is_404_with_a_detail(as_alice, alice):
    gone = a_cat(alice)
    gone_id = gone.pk
    gone.delete()

    for method in ("put", "patch", "delete", "get"):
        response = as_alice.request(method.upper(), f"cats/{gone_id}/", cat_body())
        assert response.status_code == 404, method
        assert list(response.json()) == ["detail"], method
        assert isinstance(response.json()["detail"], str)


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "cats/", None),
        ("post", "cats/", cat_body()),
        ("get", "cats/{id}/", None),
        ("put", "cats/{id}/", cat_body(name="Murzik")),
        ("patch", "cats/{id}/", {"name": "Murzik"}),
        ("delete", "cats/{id}/", None),
    ],
)
@pytest.mark.parametrize("token", [None, "not-a-jwt"], ids=["no token", "a forged token"])
def test_every_cat_endpoint_is_401_without_a_valid_token(client, alice, method, path, body, token):
    cat = a_cat(alice)

    response = getattr(Api(client, token), method)(path.format(id=cat.pk), body)

    assert response.status_code == 401
    assert list(response.json()) == ["detail"]
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert Cat.objects.get() == cat
    assert Cat.objects.get().name == "Barsik"


@pytest.mark.parametrize("path", ["cats", "cats/{id}", "cats/{id}/extra/", "cats/abc/x/"])
def test_other_spellings_of_the_paths_are_a_json_404(as_alice, alice, path):
    cat = a_cat(alice)

    response = as_alice.get(path.format(id=cat.pk))

    assert response.status_code == 404
    assert list(response.json()) == ["detail"]


def test_any_logged_in_user_reads_any_cat(as_bob, alice):
    cat = a_cat(alice)

    assert as_bob.get(f"cats/{cat.pk}/").status_code == 200
    assert [c["id"] for c in as_bob.get("cats/").json()["results"]] == [cat.pk]


# Writing: name, color, birth_year


@pytest.mark.parametrize(
    ("name", "stored"),
    [
        ("Barsik", "Barsik"),
        ("  Barsik  ", "Barsik"),
        ("B", "B"),
        ("x" * 16, "x" * 16),
        (" " + "x" * 16 + " ", "x" * 16),
        ("Мурзик", "Мурзик"),
    ],
)
def test_names_are_trimmed_and_kept(as_alice, name, stored):
    response = as_alice.post("cats/", cat_body(name=name))

    assert response.status_code == 201
    assert response.json()["name"] == stored
    assert Cat.objects.get().name == stored


@pytest.mark.parametrize(
    ("color", "stored"),
    [
        ("#A9A9A9", "darkgray"),
        ("#a9a9a9", "darkgray"),
        ("#A9a9A9", "darkgray"),
        ("#FFF", "white"),
        ("#fff", "white"),
        ("#000000", "black"),
        ("#F00", "red"),
        ("#808080", "gray"),
        ("darkgray", "darkgray"),
        ("DarkGray", "darkgray"),
        ("  black  ", "black"),
        ("grey", "grey"),
    ],
)
def test_colours_in_hex_or_css_name_are_stored_as_the_css_name(as_alice, color, stored):
    response = as_alice.post("cats/", cat_body(color=color))

    assert response.status_code == 201, response.json()
    assert response.json()["color"] == stored
    assert Cat.objects.get().color == stored


@pytest.mark.parametrize(
    ("birth_year", "stored"),
    [(2020, 2020), ("2020", 2020), (1900, 1900), ("1900", 1900), (THIS_YEAR, THIS_YEAR)],
)
def test_birth_years_from_1900_to_this_year_are_accepted_as_numbers_or_numeric_strings(
    as_alice, birth_year, stored
):
    response = as_alice.post("cats/", cat_body(birth_year=birth_year))

    assert response.status_code == 201
    assert response.json()["birth_year"] == stored
    assert Cat.objects.get().birth_year == stored


INVALID_FIELDS = [
    ("name", ""),
    ("name", "   "),
    ("name", "x" * 17),
    ("name", None),
    ("name", ["Barsik"]),
    ("name", "Bar\x00sik"),
    ("color", "#123456"),
    ("color", "#ABCDEF"),
    ("color", "A9A9A9"),
    ("color", "#A9A9A"),
    ("color", "#GGG"),
    ("color", "notacolor"),
    ("color", ""),
    ("color", None),
    ("birth_year", 1899),
    ("birth_year", "1899"),
    ("birth_year", THIS_YEAR + 1),
    ("birth_year", str(THIS_YEAR + 1)),
    ("birth_year", -2020),
    ("birth_year", "abc"),
    ("birth_year", "2020abc"),
    ("birth_year", 2020.5),
    ("birth_year", ""),
    ("birth_year", None),
    ("achievements", [{"achievement_name": ""}]),
    ("achievements", [{"achievement_name": "  "}]),
    ("achievements", [{"achievement_name": "x" * 65}]),
    ("achievements", [{}]),
    ("achievements", [{"achievement_name": "Pu\x00rrs"}]),
    ("achievements", ["Catches mice"]),
    ("achievements", "Catches mice"),
    ("achievements", {"achievement_name": "Catches mice"}),
]


@pytest.mark.parametrize(
    ("field", "value"), INVALID_FIELDS, ids=[f"{f}={v!r}"[:40] for f, v in INVALID_FIELDS]
)
def test_an_invalid_field_is_400_on_that_field_and_creates_nothing(as_alice, field, value):
    body = {
        **cat_body(image=png_url(), achievements=[{"achievement_name": "Brand new"}]),
        field: value,
    }

    response = as_alice.post("cats/", body)

    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert all(isinstance(message, str) and message for message in response.json()[field])
    assert not Cat.objects.exists()
    assert not Achievement.objects.exists()
    assert stored_photos() == set()


@pytest.mark.parametrize("field", ["name", "color", "birth_year"])
@pytest.mark.parametrize("method", ["post", "put"])
def test_name_color_and_birth_year_are_required_on_create_and_put(as_alice, alice, method, field):
    cat = a_cat(alice)
    body = cat_body()
    del body[field]

    response = getattr(as_alice, method)("cats/" if method == "post" else f"cats/{cat.pk}/", body)

    assert response.status_code == 400
    assert response.json() == {field: ["This field is required."]}
    assert Cat.objects.count() == 1
    assert Cat.objects.get().name == "Barsik"


def test_several_invalid_fields_are_all_reported(as_alice):
    response = as_alice.post("cats/", {"name": "", "color": "#123456", "birth_year": 1800})

    assert response.status_code == 400
    assert set(response.json()) == {"name", "color", "birth_year"}


def test_the_color_error_names_the_code(as_alice):
    response = as_alice.post("cats/", cat_body(color="#123456"))

    assert response.status_code == 400
    assert "#123456" in response.json()["color"][0]


def test_a_birth_year_out_of_bounds_says_the_bound(as_alice):
    early = as_alice.post("cats/", cat_body(birth_year=1899)).json()
    late = as_alice.post("cats/", cat_body(birth_year=THIS_YEAR + 1)).json()

    assert early == {"birth_year": ["Ensure this value is greater than or equal to 1900."]}
    assert late == {"birth_year": [f"Ensure this value is less than or equal to {THIS_YEAR}."]}


def test_a_malformed_json_body_is_400_with_a_detail(as_alice):
    response = as_alice.client.post(
        "/api/cats/",
        '{"name": "Barsik",',
        content_type="application/json",
        headers={"Authorization": f"Bearer {as_alice.token}"},
    )

    assert response.status_code == 400
    assert response.json()["detail"].startswith("JSON parse error")
    assert not Cat.objects.exists()


# Writing: achievements


def test_achievements_are_matched_by_name_or_created(as_alice):
    mice = Achievement.objects.create(name="Catches mice")

    cat = create_cat(
        as_alice,
        achievements=[{"achievement_name": "Catches mice"}, {"achievement_name": " Purrs "}],
    )

    purrs = Achievement.objects.get(name="Purrs")
    assert cat["achievements"] == [
        {"id": mice.pk, "achievement_name": "Catches mice"},
        {"id": purrs.pk, "achievement_name": "Purrs"},
    ]
    assert Achievement.objects.count() == 2
    assert db_achievements(cat["id"]) == ["Catches mice", "Purrs"]


def test_duplicate_achievements_in_one_request_count_once(as_alice):
    cat = create_cat(
        as_alice,
        achievements=[
            {"achievement_name": "Purrs"},
            {"achievement_name": "Purrs"},
            {"achievement_name": "  Purrs"},
        ],
    )

    assert achievements_of(cat) == ["Purrs"]
    assert Achievement.objects.count() == 1
    assert db_achievements(cat["id"]) == ["Purrs"]


def test_an_achievement_name_of_64_characters_is_accepted(as_alice):
    assert achievements_of(create_cat(as_alice, achievements=[{"achievement_name": "x" * 64}])) == [
        "x" * 64
    ]


@pytest.mark.parametrize("body", [cat_body(), cat_body(achievements=[])])
def test_a_cat_created_without_achievements_has_none(as_alice, body):
    response = as_alice.post("cats/", body)

    assert response.status_code == 201
    assert response.json()["achievements"] == []


@pytest.mark.parametrize("method", ["put", "patch"])
@pytest.mark.parametrize(
    ("given", "result"),
    [
        ([{"achievement_name": "Sleeps"}], ["Sleeps"]),
        ([{"achievement_name": "Purrs"}, {"achievement_name": "Sleeps"}], ["Purrs", "Sleeps"]),
        ([], []),
    ],
    ids=["a new list", "an overlapping list", "an empty list"],
)
def test_a_given_achievement_list_replaces_the_cats_achievements(
    as_alice, alice, method, given, result
):
    cat = a_cat(alice, achievements=["Catches mice", "Purrs"])
    body = cat_body(achievements=given) if method == "put" else {"achievements": given}

    response = getattr(as_alice, method)(f"cats/{cat.pk}/", body)

    assert response.status_code == 200
    assert achievements_of(response.json()) == result
    assert db_achievements(cat.pk) == result
    # The achievements themselves stay: other cats may have them.
    assert Achievement.objects.filter(name="Catches mice").exists()


@pytest.mark.parametrize("method", ["put", "patch"])
def test_an_absent_achievements_key_leaves_them(as_alice, alice, method):
    cat = a_cat(alice, achievements=["Catches mice", "Purrs"])
    body = cat_body(name="Murzik") if method == "put" else {"name": "Murzik"}

    response = getattr(as_alice, method)(f"cats/{cat.pk}/", body)

    assert response.status_code == 200
    assert response.json()["name"] == "Murzik"
    assert achievements_of(response.json()) == ["Catches mice", "Purrs"]
    assert db_achievements(cat.pk) == ["Catches mice", "Purrs"]


# Writing: PUT and PATCH


def test_put_replaces_name_color_and_birth_year(as_alice, alice):
    cat = a_cat(alice)

    response = as_alice.put(
        f"cats/{cat.pk}/", {"name": " Murzik ", "color": "#FFF", "birth_year": "2019"}
    )

    assert response.status_code == 200
    assert response.json() == {
        "id": cat.pk,
        "name": "Murzik",
        "color": "white",
        "birth_year": 2019,
        "achievements": [],
        "owner": alice.pk,
        "age": THIS_YEAR - 2019,
        "image": None,
        "image_url": None,
        "thumbnail": None,
        "thumbnail_url": None,
    }
    cat.refresh_from_db()
    assert (cat.name, cat.color, cat.birth_year) == ("Murzik", "white", 2019)


@pytest.mark.parametrize(
    ("body", "changed"),
    [
        ({"name": "Murzik"}, {"name": "Murzik"}),
        ({"color": "#FFF"}, {"color": "white"}),
        ({"birth_year": "2019"}, {"birth_year": 2019}),
        ({"name": "Murzik", "color": "black"}, {"name": "Murzik", "color": "black"}),
    ],
)
def test_patch_writes_only_the_keys_it_carries(as_alice, alice, body, changed):
    cat = a_cat(alice, achievements=["Purrs"])
    before = as_alice.get(f"cats/{cat.pk}/").json()

    response = as_alice.patch(f"cats/{cat.pk}/", body)

    assert response.status_code == 200
    expected = {**before, **changed}
    expected["age"] = THIS_YEAR - expected["birth_year"]
    assert response.json() == expected
    assert as_alice.get(f"cats/{cat.pk}/").json() == expected


def test_an_empty_patch_is_valid_and_changes_nothing(as_alice, alice):
    cat = create_cat(as_alice, image=png_url(), achievements=[{"achievement_name": "Purrs"}])

    response = as_alice.patch(f"cats/{cat['id']}/", {})

    assert response.status_code == 200
    assert response.json() == cat
    assert as_alice.get(f"cats/{cat['id']}/").json() == cat
    assert stored_photos() == files_of(cat)


@pytest.mark.parametrize(
    ("field", "value"),
    [("name", ""), ("name", None), ("color", "#123456"), ("birth_year", 1899), ("color", None)],
)
def test_an_invalid_patch_is_400_on_the_field_and_changes_nothing(as_alice, alice, field, value):
    cat = a_cat(alice, achievements=["Purrs"])

    response = as_alice.patch(
        f"cats/{cat.pk}/",
        {field: value, "name": "Murzik" if field != "name" else value, "achievements": []},
    )

    assert response.status_code == 400
    assert field in response.json()
    cat.refresh_from_db()
    assert (cat.name, cat.color, cat.birth_year) == ("Barsik", "darkgray", 2020)
    assert db_achievements(cat.pk) == ["Purrs"]


# Ownership


@pytest.mark.parametrize(
    ("method", "body"),
    [
        ("put", cat_body(name="Murzik", achievements=[])),
        ("patch", {"name": "Murzik", "achievements": [{"achievement_name": "New"}]}),
        ("patch", {"image": None}),
        ("delete", None),
    ],
)
def test_another_user_may_not_change_or_delete_a_cat(
    as_alice, as_bob, django_capture_on_commit_callbacks, method, body
):
    cat = create_cat(as_alice, image=png_url(), achievements=[{"achievement_name": "Purrs"}])

    with django_capture_on_commit_callbacks(execute=True):
        response = getattr(as_bob, method)(f"cats/{cat['id']}/", body)

    assert response.status_code == 403
    assert response.json() == PERMISSION_DENIED
    assert as_alice.get(f"cats/{cat['id']}/").json() == cat
    assert list(Achievement.objects.values_list("name", flat=True)) == ["Purrs"]
    assert stored_photos() == files_of(cat)


@pytest.mark.parametrize(
    ("method", "body", "status"),
    [
        ("put", cat_body(name="Murzik"), 200),
        ("patch", {"name": "Murzik"}, 200),
        ("delete", None, 204),
    ],
)
@pytest.mark.parametrize("caller", ["owner", "staff"])
def test_the_owner_and_staff_may_change_or_delete_a_cat(
    as_alice, as_staff, alice, method, body, status, caller
):
    cat = a_cat(alice)
    client = as_alice if caller == "owner" else as_staff

    response = getattr(client, method)(f"cats/{cat.pk}/", body)

    assert response.status_code == status
    if method == "delete":
        assert not Cat.objects.exists()
    else:
        assert response.json()["name"] == "Murzik"
        assert response.json()["owner"] == alice.pk  # staff do not take the cat over
        assert Cat.objects.get().owner == alice


def test_delete_answers_exactly_204_with_an_empty_body_and_removes_the_cat_and_photo(
    as_alice, django_capture_on_commit_callbacks
):
    cat = create_cat(as_alice, image=png_url(), achievements=[{"achievement_name": "Purrs"}])

    with django_capture_on_commit_callbacks(execute=True):
        response = as_alice.delete(f"cats/{cat['id']}/")

    assert response.status_code == 204
    assert response.content == b""
    assert not Cat.objects.exists()
    assert not default_storage.exists(photo_name(cat))
    # An achievement belongs to no cat in particular: it stays.
    assert Achievement.objects.filter(name="Purrs").exists()
    assert as_alice.get(f"cats/{cat['id']}/").status_code == 404


# Atomicity


ONE_BAD_FIELD = [
    {"name": "x" * 17},
    {"color": "#123456"},
    {"birth_year": THIS_YEAR + 1},
    {"achievements": [{"achievement_name": "Fine"}, {"achievement_name": "x" * 65}]},
    {"image": "data:image/png;base64,iVBORw0KGgo"},
]


@pytest.mark.parametrize("bad", ONE_BAD_FIELD, ids=lambda bad: next(iter(bad)))
def test_a_put_valid_but_for_one_field_changes_nothing(
    as_alice, alice, django_capture_on_commit_callbacks, bad
):
    cat = create_cat(as_alice, image=png_url(), achievements=[{"achievement_name": "Purrs"}])
    body = {
        **cat_body(name="Murzik", color="white", birth_year=2010, image=png_url((3, 3))),
        "achievements": [{"achievement_name": "Brand new"}],
        **bad,
    }

    with django_capture_on_commit_callbacks(execute=True):
        response = as_alice.put(f"cats/{cat['id']}/", body)

    assert response.status_code == 400
    assert list(response.json()) == [next(iter(bad))]
    assert as_alice.get(f"cats/{cat['id']}/").json() == cat
    assert list(Achievement.objects.values_list("name", flat=True)) == ["Purrs"]
    assert stored_photos() == files_of(cat)


# Query counts


def cats_with_achievements(owner, cats, achievements):
    names = [f"Achievement {n}" for n in range(achievements)]
    for number in range(cats):
        a_cat(owner, name=f"Cat {number:02}", achievements=names)


@pytest.mark.parametrize(("cats", "achievements"), [(1, 1), (10, 5), (25, 8)])
def test_the_cat_list_takes_four_queries_whatever_the_cats_and_achievements(
    as_alice, alice, django_assert_num_queries, cats, achievements
):
    cats_with_achievements(alice, cats, achievements)

    # Authentication, count, the page, the page's achievements.
    with django_assert_num_queries(4):
        response = as_alice.get("cats/")

    assert response.status_code == 200
    assert len(response.json()["results"]) == min(cats, 10)
    assert all(len(cat["achievements"]) == achievements for cat in response.json()["results"])


@pytest.mark.parametrize("page_size", [1, 50])
def test_the_cat_list_takes_four_queries_whatever_the_page_size(
    as_alice, alice, settings, django_assert_num_queries, page_size
):
    settings.CATGRAM = {"PAGE_SIZE": page_size}
    cats_with_achievements(alice, 30, 3)

    with django_assert_num_queries(4):
        response = as_alice.get("cats/", "search=cat&ordering=-birth_year&owner=me")

    assert len(response.json()["results"]) == min(page_size, 30)


@pytest.mark.parametrize("achievements", [0, 1, 12])
def test_a_cat_takes_two_queries_the_token_check_and_the_cat_with_its_achievements(
    as_alice, alice, django_assert_num_queries, achievements
):
    cat = a_cat(alice, achievements=[f"Achievement {n}" for n in range(achievements)])

    with django_assert_num_queries(2):  # the contract allows 3
        response = as_alice.get(f"cats/{cat.pk}/")

    assert len(response.json()["achievements"]) == achievements


# The React client, call by call


def test_the_react_client_flow_works_unchanged(client, django_capture_on_commit_callbacks):
    """Register, log in with token/login/, read users/me/, list, create, read, patch, delete,
    every request with Content-Type: application/json and, once logged in, ``Token <token>``."""
    visitor = Api(client)
    registered = visitor.post(
        "users/", {"email": "kitty@example.com", "username": "kitty", "password": PASSWORD}
    )
    assert registered.status_code == 201
    login = visitor.post("token/login/", {"username": "kitty", "password": PASSWORD})
    assert login.status_code == 200
    kitty = Api(client, login.json()["auth_token"], scheme="Token")

    me = kitty.get("users/me/")
    assert me.status_code == 200
    assert me.json()["username"] == "kitty"
    assert me.json()["id"] == get_user_model().objects.get(username="kitty").pk

    page = kitty.get("cats/", "page=1")
    assert page.status_code == 200
    assert page.json() == {"count": 0, "next": None, "previous": None, "results": []}

    created = kitty.post(
        "cats/",
        {
            "color": "#A9A9A9",
            "achievements": [{"achievement_name": "Catches mice"}],
            "name": "Barsik",
            "birth_year": "2020",
            "image": png_url(),
        },
    )
    assert created.status_code == 201
    cat = created.json()
    assert cat["color"] == "darkgray"
    assert cat["owner"] == me.json()["id"]  # how the client decides to show the edit button
    assert achievements_of(cat) == ["Catches mice"]
    assert cat["image"].startswith("http://testserver/media/cats/images/")
    photo = photo_name(cat)
    assert default_storage.exists(photo)

    read = kitty.get(f"cats/{cat['id']}/")
    assert read.status_code == 200
    assert read.json() == cat
    assert kitty.get("cats/", "page=1").json()["results"] == [cat]

    with django_capture_on_commit_callbacks(execute=True):
        patched = kitty.patch(f"cats/{cat['id']}/", {"name": "Murzik", "image": None})
    assert patched.status_code == 200
    no_photo = dict.fromkeys(["image", "image_url", "thumbnail", "thumbnail_url"])
    assert patched.json() == {**cat, "name": "Murzik", **no_photo}
    assert not default_storage.exists(photo)

    deleted = kitty.delete(f"cats/{cat['id']}/")
    assert deleted.status_code == 204
    assert deleted.content == b""
    assert not Cat.objects.exists()


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH"])
def test_a_cat_has_at_most_a_hundred_achievements_per_write(as_alice, method):
    """One request may not add thousands of achievements that every client then lists."""
    cat = create_cat(as_alice)
    path = "cats/" if method == "POST" else f"cats/{cat['id']}/"
    names = [{"achievement_name": f"Trick {n}"} for n in range(101)]
    response = as_alice.request(method, path, cat_body(achievements=names))
    assert (response.status_code, response.json()) == (
        400,
        {"achievements": ["Ensure this field has no more than 100 elements."]},
    )
    assert not Achievement.objects.exists()
    response = as_alice.request(method, path, cat_body(achievements=names[:100]))
    assert response.status_code in (200, 201)
    assert len(response.json()["achievements"]) == 100
