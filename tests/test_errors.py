"""Errors in DRF's shapes everywhere: parse errors, unknown paths, methods, sizes, bugs."""

import pytest
from django.test import Client, override_settings

from django_catgram.cats import router as cats_router
from django_catgram.routing import answer_other_methods
from tests.conftest import create_cat

pytestmark = pytest.mark.django_db


def post_raw(api, body):
    """POST bytes as they are, labelled JSON, with the client's token."""
    headers = {"Authorization": f"Bearer {api.token}"}
    return api.client.post("/api/cats/", body, content_type="application/json", headers=headers)


@pytest.mark.parametrize("body", [b"{bad", b"\xff\xfe\x00", b'{"name": "\xc3"}', b"[1, 2"])
def test_a_body_that_is_not_json_is_400_json_parse_error(as_alice, body):
    response = post_raw(as_alice, body)
    assert response.status_code == 400
    assert response.json()["detail"].startswith("JSON parse error - ")


@pytest.mark.parametrize("path", ["/api/cats", "/api/users/me", "/api/nowhere/", "/api/cats/1/x/"])
def test_a_path_the_api_does_not_serve_is_a_json_404(client, path):
    for method in ("get", "post", "delete"):
        response = getattr(client, method)(path, content_type="application/json")
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found."}


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("delete", "/api/cats/", "GET, POST, HEAD, OPTIONS"),
        ("post", "/api/cats/1/", "GET, PUT, PATCH, DELETE, HEAD, OPTIONS"),
        ("get", "/api/auth/token", "POST, OPTIONS"),
        ("put", "/api/achievements/", "GET, POST, HEAD, OPTIONS"),
    ],
)
def test_a_method_a_path_does_not_serve_is_405_with_allow(client, method, path, allowed):
    response = getattr(client, method)(path, content_type="application/json")
    assert response.status_code == 405
    assert response.json() == {"detail": f'Method "{method.upper()}" not allowed.'}
    assert response["Allow"] == allowed


def test_refusing_other_methods_again_registers_nothing_more(client):
    """``add_routers`` refuses the unserved methods; a router added again keeps one refusal."""
    operations = {path: len(view.operations) for path, view in cats_router.path_operations.items()}

    answer_other_methods(cats_router)

    assert {path: len(view.operations) for path, view in cats_router.path_operations.items()} == (
        operations
    )
    assert client.delete("/api/cats/")["Allow"] == "GET, POST, HEAD, OPTIONS"


def test_a_body_over_the_limit_is_413_before_it_is_read(as_alice):
    with override_settings(CATGRAM={"MAX_BODY_BYTES": 100}):
        response = as_alice.post("cats/", {"name": "x" * 200})
    assert response.status_code == 413
    assert set(response.json()) == {"detail"}


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=50)
def test_a_body_over_djangos_own_limit_is_413_too(as_alice):
    response = as_alice.post("cats/", {"name": "x" * 200})
    assert response.status_code == 413
    assert set(response.json()) == {"detail"}


def test_an_unexpected_error_is_a_json_500_without_traceback(client):
    response = Client(raise_request_exception=False).get("/v2/host/boom")
    assert response.status_code == 500
    assert response.json() == {"detail": "Internal server error."}


def test_in_tests_an_unexpected_error_is_raised_so_no_500_goes_unnoticed(client):
    with pytest.raises(RuntimeError, match="a bug in the host's code"):
        client.get("/v2/host/boom")


def test_the_routers_serve_a_hosts_own_api_next_to_its_routes(anonymous, alice):
    assert anonymous.client.get("/v2/host/ping").json() == {"pong": True}
    token = anonymous.post("auth/token", {"username": "alice", "password": "Purr-Purr-2020!"})
    response = anonymous.client.get(
        "/v2/cats/", headers={"Authorization": f"Bearer {token.json()['token']}"}
    )
    assert response.status_code == 200
    assert response.json()["count"] == 0
    unauthenticated = anonymous.client.get("/v2/cats/")
    assert unauthenticated.status_code == 401
    assert unauthenticated.json() == {"detail": "Authentication credentials were not provided."}
    paths = anonymous.client.get("/v2/openapi.json").json()["paths"]
    assert "/v2/host/ping" in paths
    assert "/v2/cats/" in paths


@pytest.mark.parametrize("path", ["/v2/cats/", "/v2/auth/token", "/v2/cats/1/"])
@pytest.mark.parametrize(("length", "status"), [("101", 413), ("12abc", 400)])
@override_settings(CATGRAM={"MAX_BODY_BYTES": 100})
def test_a_hosts_own_api_refuses_a_body_by_its_length_before_reading_it(
    client, path, length, status
):
    """Two bytes are sent: reading the declared length would fail in the test client."""
    response = client.post(path, b"{}", content_type="application/json", CONTENT_LENGTH=length)
    assert response.status_code == status
    assert set(response.json()) == {"detail"}


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("auth/token", {"username": "al\x00ice", "password": "x"}, "username"),
        ("token/login/", {"username": "alice", "password": "\x00"}, "password"),
        ("users/", {"username": "a\x00", "password": "Purr-Purr-2020!"}, "username"),
        ("users/reset_password/", {"email": "a\x00@example.com"}, "email"),
        ("users/activation/", {"uid": "\x00", "token": "x"}, "uid"),
    ],
)
def test_a_null_character_in_any_body_string_is_400_on_its_field(anonymous, path, body, field):
    response = anonymous.post(path, body)
    assert response.status_code == 400
    assert response.json() == {field: ["Null characters are not allowed."]}


REQUIRED = "This field is required."


@pytest.mark.parametrize("content_type", ["application/json", ""])
@pytest.mark.parametrize(
    ("path", "errors"),
    [
        ("cats/", {"name": [REQUIRED], "color": [REQUIRED], "birth_year": [REQUIRED]}),
        ("auth/token", {"username": [REQUIRED], "password": [REQUIRED]}),
        ("users/", {"username": [REQUIRED], "password": [REQUIRED]}),
    ],
)
def test_no_body_is_an_empty_object_each_required_field_missing(
    as_alice, path, errors, content_type
):
    """As DRF reads no body: ``{}``, whose every required field is named, not one error for
    the body as a whole."""
    headers = {"Authorization": f"Bearer {as_alice.token}"}
    response = as_alice.client.generic("POST", f"/api/{path}", b"", content_type, headers=headers)
    assert (response.status_code, response.json()) == (400, errors)


def test_a_patch_with_no_body_changes_nothing(as_alice):
    cat = create_cat(as_alice)
    headers = {"Authorization": f"Bearer {as_alice.token}"}
    response = as_alice.client.generic("PATCH", f"/api/cats/{cat['id']}/", b"", headers=headers)
    assert (response.status_code, response.json()) == (200, cat)
