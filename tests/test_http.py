"""HTTP as DRF's clients know it: OPTIONS, HEAD and Allow on every path; ETag, 304 and 412."""

import re
from datetime import timedelta

import pytest
from django.test import Client, RequestFactory
from django.urls import resolve
from django.utils import timezone

from django_catgram.api import api
from django_catgram.models import Achievement, Cat, LoginSession
from tests.conftest import cat_body, create_cat, png_url

PATHS = api.get_openapi_schema()["paths"]
SCHEMA_METHODS = ("get", "post", "put", "patch", "delete")


def allowed(path):
    """What Allow must name on a documented path: its methods, HEAD with GET, and OPTIONS."""
    documented = [method.upper() for method in SCHEMA_METHODS if method in PATHS[path]]
    return [*documented, *(["HEAD"] if "GET" in documented else []), "OPTIONS"]


@pytest.fixture
def ids(alice, staff):
    """A value for each path parameter, naming an object that exists."""
    cat = Cat.objects.create(name="Barsik", color="black", birth_year=2020, owner=alice)
    achievement = Achievement.objects.create(name="Caught a mouse")
    now = timezone.now()
    session = LoginSession.objects.create(
        user=alice, created=now, last_used=now, expires_at=now + timedelta(days=1)
    )
    return {
        "cat_id": cat.pk,
        "achievement_id": achievement.pk,
        "user_id": alice.pk,
        "session_id": session.pk,
    }


def real(path, ids):
    return re.sub(r"{(\w+)}", lambda match: str(ids[match[1]]), path)


@pytest.mark.parametrize("path", PATHS)
def test_options_on_every_path_names_its_methods_and_describes_it(client, ids, path):
    response = client.options(real(path, ids))
    assert response.status_code == 200
    assert response["Allow"].split(", ") == allowed(path)
    body = response.json()
    assert set(body) == {"name", "description", "renders", "parses"}
    assert body["name"] and body["description"]
    assert body["renders"] == ["application/json"]
    assert "application/json" in body["parses"]


@pytest.mark.parametrize("path", PATHS)
def test_every_refused_method_names_the_same_allow(client, ids, path):
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "TRACE", "CONNECT"):
        if method not in allowed(path):
            response = client.generic(method, real(path, ids))
            assert response.status_code == 405, method
            assert response["Allow"].split(", ") == allowed(path)


def call_the_view(method, path, headers):
    """The answer of the path's view itself: Django's test client drops a HEAD's body."""
    request = RequestFactory().generic(method, path, headers=headers)
    match = resolve(path)
    return match.func(request, *match.args, **match.kwargs)


@pytest.mark.parametrize("path", [path for path in PATHS if "get" in PATHS[path]])
def test_head_on_every_read_has_the_gets_status_and_headers_and_no_body(as_staff, ids, path):
    headers = {"Authorization": f"Bearer {as_staff.token}"}
    got = call_the_view("GET", real(path, ids), headers)
    head = call_the_view("HEAD", real(path, ids), headers)
    assert got.status_code == head.status_code == 200
    assert head.content == b""
    assert head["Content-Length"] == str(len(got.content))
    assert head["ETag"] == got["ETag"]
    assert head["Content-Type"] == got["Content-Type"]


def test_head_needs_the_login_get_needs(client):
    response = client.head("/api/cats/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"]


def test_a_path_that_serves_no_get_refuses_head(client):
    response = client.head("/api/auth/token")
    assert response.status_code == 405
    assert response["Allow"] == "POST, OPTIONS"


def test_the_hosts_own_api_answers_options_and_head_too(as_alice):
    options = Client().options("/v2/cats/")
    assert options.status_code == 200
    assert options["Allow"] == "GET, POST, HEAD, OPTIONS"
    head = Client().head("/v2/cats/", headers={"Authorization": f"Bearer {as_alice.token}"})
    assert head.status_code == 200
    assert head["ETag"]


# Conditional requests.


def resources(client):
    """The reads with an ETag, by the path of each."""
    cat = create_cat(client, achievements=[{"achievement_name": "Caught a mouse"}])
    achievement = cat["achievements"][0]["id"]
    return [
        f"cats/{cat['id']}/",
        "cats/",
        "cats/?page=1&color=darkgray",
        "achievements/",
        f"achievements/{achievement}/",
        "users/me/",
    ]


def test_every_read_has_an_etag_and_answers_304_while_it_holds(as_alice):
    for path in resources(as_alice):
        first = as_alice.get(path)
        etag = first["ETag"]
        assert re.fullmatch(r'"[0-9a-f]{32}"', etag), path
        again = as_alice.request("GET", path, headers={"If-None-Match": etag})
        assert again.status_code == 304, path
        assert again.content == b""
        assert again["ETag"] == etag
        for other in ('"other"', f"W/{etag}", f'"other", {etag}', "*"):
            matched = as_alice.request("GET", path, headers={"If-None-Match": other})
            assert matched.status_code == (200 if other == '"other"' else 304), (path, other)
        head = as_alice.request("HEAD", path, headers={"If-None-Match": etag})
        assert head.status_code == 304


def test_an_etag_costs_no_query_more(as_alice, django_assert_num_queries):
    cat = create_cat(as_alice)
    with django_assert_num_queries(2):  # the user (of the token), the cat with achievements
        response = as_alice.get(f"cats/{cat['id']}/")
    assert response["ETag"]


def etags(client, paths):
    return {path: client.get(path)["ETag"] for path in paths}


def test_every_etag_changes_when_its_answer_does(as_alice, as_staff):
    paths = resources(as_alice)
    cat_path, achievement_path = paths[0], paths[4]
    before = etags(as_alice, paths)

    as_staff.patch(achievement_path, {"achievement_name": "Caught two mice"})
    renamed = etags(as_alice, paths)
    assert {path for path in paths if renamed[path] != before[path]} == {
        cat_path,
        "cats/",
        "cats/?page=1&color=darkgray",
        "achievements/",
        achievement_path,
    }

    assert as_alice.patch(cat_path, {"image": png_url()}).status_code == 200
    with_photo = etags(as_alice, paths)
    assert as_alice.patch(cat_path, {"image": png_url((5, 5))}).status_code == 200
    new_photo = etags(as_alice, paths)
    assert with_photo[cat_path] != renamed[cat_path]
    assert new_photo[cat_path] != with_photo[cat_path]
    assert new_photo["cats/"] != with_photo["cats/"]

    as_alice.patch("users/me/", {"email": "new@example.com"})
    assert as_alice.get("users/me/")["ETag"] != before["users/me/"]


def test_answers_for_different_users_have_different_etags(as_alice, as_bob):
    assert as_alice.get("users/me/")["ETag"] != as_bob.get("users/me/")["ETag"]


WRITES = [("PUT", cat_body(name="Murzik")), ("PATCH", {"name": "Murzik"}), ("DELETE", None)]


@pytest.mark.parametrize(("method", "body"), WRITES)
def test_a_cat_write_with_a_current_if_match_goes_through(as_alice, method, body):
    cat = create_cat(as_alice)
    etag = as_alice.get(f"cats/{cat['id']}/")["ETag"]
    response = as_alice.request(method, f"cats/{cat['id']}/", body, headers={"If-Match": etag})
    assert response.status_code == (204 if method == "DELETE" else 200)


@pytest.mark.parametrize(("method", "body"), WRITES)
def test_a_cat_write_based_on_a_stale_copy_is_412_and_changes_nothing(as_alice, method, body):
    cat = create_cat(as_alice)
    path = f"cats/{cat['id']}/"
    stale = as_alice.get(path)["ETag"]
    as_alice.patch(path, {"color": "black"})  # another editor
    current = as_alice.get(path).json()

    for if_match in (stale, f"W/{as_alice.get(path)['ETag']}", '"made-up"'):
        response = as_alice.request(method, path, body, headers={"If-Match": if_match})
        assert response.status_code == 412, if_match
        assert set(response.json()) == {"detail"}
        assert as_alice.get(path).json() == current


def test_if_match_star_and_a_list_holding_the_current_tag_match(as_alice):
    cat = create_cat(as_alice)
    path = f"cats/{cat['id']}/"
    for name, if_match in (("Murzik", "*"), ("Vaska", '"old", {current}')):
        current = as_alice.get(path)["ETag"]
        body = {"name": name}
        response = as_alice.request(
            "PATCH", path, body, headers={"If-Match": if_match.format(current=current)}
        )
        assert response.status_code == 200, if_match
        assert response.json()["name"] == name


def test_a_cat_whose_achievement_was_renamed_is_412_on_its_old_tag(as_alice, as_staff):
    cat = create_cat(as_alice, achievements=[{"achievement_name": "Caught a mouse"}])
    path = f"cats/{cat['id']}/"
    stale = as_alice.get(path)["ETag"]
    as_staff.patch(f"achievements/{cat['achievements'][0]['id']}/", {"achievement_name": "Hunter"})
    response = as_alice.request("PATCH", path, {"name": "Murzik"}, headers={"If-Match": stale})
    assert response.status_code == 412
    assert Cat.objects.get(pk=cat["id"]).name == "Barsik"


@pytest.mark.parametrize(
    ("method", "body"),
    [
        ("PUT", {"achievement_name": "Hunter"}),
        ("PATCH", {"achievement_name": "Hunter"}),
        ("DELETE", None),
    ],
)
def test_an_achievement_write_checks_if_match(as_alice, as_staff, method, body):
    achievement = as_alice.post("achievements/", {"achievement_name": "Caught a mouse"}).json()
    path = f"achievements/{achievement['id']}/"
    stale = as_staff.get(path)["ETag"]
    as_staff.patch(path, {"achievement_name": "Caught two mice"})

    refused = as_staff.request(method, path, body, headers={"If-Match": stale})
    assert refused.status_code == 412
    assert set(refused.json()) == {"detail"}
    assert Achievement.objects.get(pk=achievement["id"]).name == "Caught two mice"

    current = as_staff.get(path)["ETag"]
    done = as_staff.request(method, path, body, headers={"If-Match": current})
    assert done.status_code == (204 if method == "DELETE" else 200)


# Each write that answers an object, and the read of that object: (method, path, body, read).
WRITES_ANSWERING = [
    ("POST", "cats/", cat_body(), "cats/{id}/"),
    ("PUT", "cats/{cat_id}/", cat_body(name="Murzik"), "cats/{id}/"),
    ("PATCH", "cats/{cat_id}/", {"name": "Vaska", "achievements": []}, "cats/{id}/"),
    ("POST", "achievements/", {"achievement_name": "Hunter"}, "achievements/{id}/"),
    ("PUT", "achievements/{achievement_id}/", {"achievement_name": "Hunts"}, "achievements/{id}/"),
    (
        "PATCH",
        "achievements/{achievement_id}/",
        {"achievement_name": "Purrs"},
        "achievements/{id}/",
    ),
    ("PUT", "users/me/", {"email": "new@example.com"}, "users/me/"),
    ("PATCH", "users/me/", {"email": "newer@example.com"}, "users/me/"),
    ("PATCH", "users/{user_id}/", {"email": "newest@example.com"}, "users/{id}/"),
]


@pytest.mark.parametrize(("method", "path", "body", "read"), WRITES_ANSWERING)
def test_a_write_answers_with_the_etag_a_read_of_its_object_then_gives(
    as_staff, ids, method, path, body, read
):
    written = as_staff.request(method, real(path, ids), body)
    assert written.status_code in (200, 201), written.json()
    assert written["ETag"] == as_staff.get(read.format(id=written.json().get("id")))["ETag"]


def test_a_write_s_etag_is_good_for_the_next_if_match(as_alice):
    cat = as_alice.post("cats/", cat_body())
    path = f"cats/{cat.json()['id']}/"
    etag = cat["ETag"]
    for name in ("Murzik", "Vaska", "Ryzhik"):
        response = as_alice.request("PATCH", path, {"name": name}, headers={"If-Match": etag})
        assert response.status_code == 200
        etag = response["ETag"]
    stale = as_alice.request("PATCH", path, {"name": "Tom"}, headers={"If-Match": cat["ETag"]})
    assert stale.status_code == 412


def test_the_schema_documents_if_match_on_exactly_the_writes_that_check_it():
    documented = {
        (method.upper(), path)
        for path, item in PATHS.items()
        for method, operation in item.items()
        if any(parameter["name"] == "If-Match" for parameter in operation.get("parameters", []))
    }
    assert documented == {
        (method, path)
        for method in ("PUT", "PATCH", "DELETE")
        for path in ("/api/cats/{cat_id}/", "/api/achievements/{achievement_id}/")
    }
    for method, path in documented:
        assert 412 in PATHS[path][method.lower()]["responses"]
