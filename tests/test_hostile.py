"""Input just outside the contract, as an attacker sends it: each a clear 4xx, never a 500.

Each test here was written against a request that the API once answered with a 500, an HTML
page, a bypassed limit or a wrong write.
"""

import json

import pytest
from django.contrib.auth import get_user_model
from django.test import Client, override_settings

from django_catgram.models import Achievement, Cat
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

SURROGATE = "\ud800"


def send(api, method, path, text, content_type="application/json"):
    """Send ``text`` (already JSON, or not) as it is, with the client's token if any."""
    headers = {"Authorization": f"Bearer {api.token}"} if api.token else {}
    return api.client.generic(
        method, f"/api/{path}", text, content_type=content_type, headers=headers
    )


def assert_json_error(response, status):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    return response.json()


@pytest.mark.parametrize(
    ("path", "anonymous_call"),
    [
        ("auth/token", True),
        ("auth/token/", True),
        ("token/login/", True),
        ("token/login", True),
        ("users/", True),
        ("users/reset_password/", True),
        ("cats/", False),
        ("achievements/", False),
    ],
)
@pytest.mark.parametrize("depth", [101, 990, 1000, 5000, 100_000])
def test_deeply_nested_json_is_a_json_parse_error_on_every_endpoint(
    anonymous, as_alice, path, anonymous_call, depth
):
    # Python's parser stops near 1,000 levels on some versions, not at all on others.
    api = anonymous if anonymous_call else as_alice
    for text in ("[" * depth + "]" * depth, '{"a": ' * depth + "1" + "}" * depth):
        body = assert_json_error(send(api, "POST", path, text), 400)
        assert body["detail"].startswith("JSON parse error - ")


def test_json_nested_as_deep_as_allowed_is_read(as_alice):
    deep = "[" * 98 + "]" * 98  # the achievements list inside the body: 100 levels in all
    text = f'{{"name": "Tom", "color": "red", "birth_year": 2020, "achievements": [{deep}]}}'
    errors = assert_json_error(send(as_alice, "POST", "cats/", text), 400)
    assert list(errors) == ["achievements"]  # refused by the schema, not by the parser


def cat_body(**changes):
    return {"name": "Tom", "color": "red", "birth_year": 2020, **changes}


# Every string field of every body, with a lone surrogate in it: (method, path, body, field).
SURROGATE_CASES = [
    ("POST", "auth/token", {"username": "alice", "password": SURROGATE}, "password"),
    ("POST", "auth/token", {"username": SURROGATE, "password": "x"}, "username"),
    ("POST", "token/login/", {"username": "alice", "password": SURROGATE}, "password"),
    ("POST", "auth/token/refresh", {"refresh": SURROGATE}, "refresh"),
    ("POST", "auth/token/verify", {"token": SURROGATE}, "token"),
    ("POST", "auth/token/blacklist", {"refresh": SURROGATE}, "refresh"),
    ("POST", "users/", {"username": "new", "password": SURROGATE}, "password"),
    ("POST", "users/", {"username": SURROGATE, "password": PASSWORD}, "username"),
    ("POST", "users/", {"username": "n", "password": PASSWORD, "email": SURROGATE}, "email"),
    ("PUT", "users/me/", {"email": f"a{SURROGATE}@example.com"}, "email"),
    ("PATCH", "users/me/", {"email": SURROGATE}, "email"),
    ("DELETE", "users/me/", {"current_password": SURROGATE}, "current_password"),
    (
        "POST",
        "users/set_password/",
        {"new_password": SURROGATE, "current_password": PASSWORD},
        "new_password",
    ),
    (
        "POST",
        "users/set_username/",
        {"new_username": SURROGATE, "current_password": PASSWORD},
        "new_username",
    ),
    ("POST", "users/reset_password/", {"email": SURROGATE}, "email"),
    (
        "POST",
        "users/reset_password_confirm/",
        {"uid": "MQ", "token": SURROGATE, "new_password": PASSWORD},
        "token",
    ),
    ("POST", "users/activation/", {"uid": SURROGATE, "token": "x"}, "uid"),
    ("POST", "cats/", cat_body(name=SURROGATE), "name"),
    ("POST", "cats/", cat_body(color=SURROGATE), "color"),
    ("POST", "cats/", cat_body(achievements=[{"achievement_name": SURROGATE}]), "achievements"),
    ("POST", "cats/", cat_body(image=f"data:image/png;base64,{SURROGATE}"), "image"),
    ("POST", "achievements/", {"achievement_name": f"Jumps{SURROGATE}"}, "achievement_name"),
]


@pytest.mark.parametrize(("method", "path", "body", "field"), SURROGATE_CASES)
def test_a_lone_surrogate_in_any_body_string_is_400_on_its_field(
    as_alice, method, path, body, field
):
    before = snapshot()
    # json.dumps writes the surrogate as the escape \ud800, as a hostile client would.
    errors = assert_json_error(send(as_alice, method, path, json.dumps(body)), 400)
    assert list(errors) == [field]
    assert snapshot() == before


def snapshot():
    users = get_user_model().objects.order_by("pk").values_list("pk", "username", "email")
    return list(users), list(Cat.objects.values_list()), list(Achievement.objects.values_list())


@pytest.mark.parametrize("content_type", ["multipart/form-data", "urlencoded"])
def test_login_by_form_counts_against_the_same_per_username_limit_as_json(
    anonymous, alice, content_type
):
    guess = {"username": "alice", "password": "wrong"}
    for _ in range(5):
        assert anonymous.post("auth/token", guess).status_code == 401
    statuses = []
    for _ in range(6):
        if content_type == "urlencoded":
            response = anonymous.client.post(
                "/api/token/login/",
                "username=alice&password=wrong",
                content_type="application/x-www-form-urlencoded",
            )
        else:
            response = anonymous.client.post("/api/auth/token", guess)  # multipart by default
        statuses.append(response.status_code)
    assert statuses[:5] in ([401] * 5, [400] * 5)
    assert statuses[5] == 429
    # The right password too is refused while the username is over its limit.
    right = anonymous.client.post("/api/auth/token", {"username": "alice", "password": PASSWORD})
    assert right.status_code == 429
    assert right["Retry-After"]


def test_a_form_login_with_the_right_password_works(anonymous, alice):
    response = anonymous.client.post("/api/auth/token", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 200
    assert set(response.json()) == {"token", "refresh", "expires_in"}


@pytest.mark.parametrize("length", [255, 300, 320])
def test_an_email_longer_than_its_column_is_400_on_email(anonymous, as_alice, alice, length):
    email = "a" * (length - len("@example.com") - 30) + "." + "b" * 29 + "@example.com"
    assert len(email) == length
    registered = anonymous.post("users/", {"username": "new", "password": PASSWORD, "email": email})
    assert list(assert_json_error(registered, 400)) == ["email"]
    for method in ("put", "patch"):
        response = getattr(as_alice, method)("users/me/", {"email": email})
        assert list(assert_json_error(response, 400)) == ["email"]
    assert get_user_model().objects.get(pk=alice.pk).email == "alice@example.com"
    assert not get_user_model().objects.filter(username="new").exists()


def test_the_longest_email_the_column_holds_is_accepted(as_alice, alice):
    email = "a" * 64 + "@" + "b" * 63 + "." + "c" * 63 + "." + "d" * 57 + ".com"
    assert len(email) == 254
    response = as_alice.patch("users/me/", {"email": email})
    assert response.status_code == 200
    assert response.json()["email"] == email


@pytest.mark.parametrize("text", ["[]", "[{}]", "123", '"s"', "null", "true", "1.5"])
def test_a_body_that_is_not_an_object_is_400_and_changes_nothing(as_alice, alice, text):
    cat = Cat.objects.create(name="Tom", color="red", birth_year=2020, owner=alice)
    before = snapshot()
    for method, path in [
        ("PATCH", f"cats/{cat.pk}/"),
        ("PUT", f"cats/{cat.pk}/"),
        ("POST", "cats/"),
        ("PUT", "users/me/"),
        ("PATCH", "users/me/"),
        ("POST", "achievements/"),
        ("POST", "auth/token"),
    ]:
        errors = assert_json_error(send(as_alice, method, path, text), 400)
        assert errors == {"non_field_errors": ["Invalid data. Expected a dictionary."]}, path
    assert snapshot() == before


@pytest.mark.parametrize(
    "path", ["/api/cats", "/api/users/me", "/api/token/logout", "/api/nowhere/", "/api/cats/1/x/"]
)
@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_an_unsafe_method_on_a_path_the_api_does_not_serve_is_a_json_404(path, method):
    # A real browser-like client: Django's CSRF check is on.
    response = Client(enforce_csrf_checks=True).generic(method, path, "{}", "application/json")
    assert assert_json_error(response, 404) == {"detail": "Not found."}


@pytest.mark.parametrize(
    "path",
    [
        "cats/abc/",
        "cats/1.5/",
        "cats/1e3/",
        "cats/%D9%A1/",  # an Arabic-Indic digit one
        "cats/%EF%BC%91/",  # a fullwidth digit one
        "cats/%20/",
        "achievements/abc/",
        "achievements/%D9%A1/",
        "users/abc/",
        "users/%D9%A1/",
        "users/%EF%BC%91/",
    ],
)
def test_an_id_that_is_not_a_number_is_404(as_staff, alice, path):
    Cat.objects.create(pk=1, name="Tom", color="red", birth_year=2020, owner=alice)
    Achievement.objects.create(pk=1, name="Jumps")
    for method in ("GET", "PUT", "PATCH", "DELETE"):
        response = send(as_staff, method, path, json.dumps({"current_password": PASSWORD}))
        assert assert_json_error(response, 404) == {"detail": "Not found."}, (method, path)
    assert Cat.objects.exists()
    assert Achievement.objects.exists()


def test_a_multipart_upload_that_cannot_be_spooled_is_a_server_error_not_the_clients(
    as_alice, tmp_path
):
    photo = b"x" * (3 * 1024 * 1024)  # over FILE_UPLOAD_MAX_MEMORY_SIZE: spooled to a file
    headers = {"Authorization": f"Bearer {as_alice.token}"}
    client = Client(raise_request_exception=False)
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("cat.png", photo, content_type="image/png")
    with override_settings(FILE_UPLOAD_TEMP_DIR=str(tmp_path / "missing")):
        response = client.post("/api/cats/", {**cat_body(), "image": upload}, headers=headers)
    assert response.status_code == 503
    assert set(response.json()) == {"detail"}
    assert response["Retry-After"]
    assert not Cat.objects.exists()


@pytest.mark.parametrize("method", ["TRACE", "CONNECT"])
def test_every_method_http_defines_is_a_json_405_where_it_is_not_served(client, method):
    response = client.generic(method, "/api/cats/")
    assert assert_json_error(response, 405) == {"detail": f'Method "{method}" not allowed.'}
    assert response["Allow"] == "GET, POST, HEAD, OPTIONS"


@pytest.mark.parametrize("method", ["QUERY", "PROPFIND", "BREW"])
@pytest.mark.parametrize(
    ("path", "allow"),
    [
        ("/api/cats/", "GET, POST, HEAD, OPTIONS"),
        ("/api/cats/1/", "GET, PUT, PATCH, DELETE, HEAD, OPTIONS"),
        ("/api/docs", "GET, HEAD, OPTIONS"),
    ],
)
def test_a_method_beyond_https_own_is_a_json_405_with_the_true_allow(client, method, path, allow):
    response = client.generic(method, path)
    assert assert_json_error(response, 405) == {"detail": f'Method "{method}" not allowed.'}
    assert response["Allow"] == allow


def test_a_put_of_a_user_without_email_leaves_it_as_drf_does(as_alice, alice):
    for method in ("put", "patch"):
        response = getattr(as_alice, method)("users/me/", {})
        assert response.status_code == 200
        assert response.json()["email"] == "alice@example.com"
        refused = getattr(as_alice, method)("users/me/", {"email": None})
        assert list(assert_json_error(refused, 400)) == ["email"]
    assert get_user_model().objects.get(pk=alice.pk).email == "alice@example.com"


@pytest.mark.parametrize(
    "path", ["/api/", "/api/%0A", "/api/cats/%0A/", "/api/achievements/%0A/", "/api/cats/1/%0A"]
)
def test_the_api_root_and_paths_holding_a_newline_are_a_json_404(client, path):
    for method in ("GET", "POST", "PATCH", "QUERY"):
        response = client.generic(method, path, "{}", "application/json")
        assert assert_json_error(response, 404) == {"detail": "Not found."}


@pytest.mark.parametrize("path", ["/api/docs", "/api/openapi.json"])
def test_the_docs_and_the_schema_answer_only_reads(client, path):
    assert client.get(path).status_code == 200
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        response = client.generic(method, path, "{}", "application/json")
        assert assert_json_error(response, 405) == {"detail": f'Method "{method}" not allowed.'}
        assert response["Allow"] == "GET, HEAD, OPTIONS"


@pytest.mark.parametrize("length", ["abc", "-1", "1e3", "١٢"])
def test_a_content_length_that_is_not_a_number_is_400(anonymous, alice, length):
    response = anonymous.client.post(
        "/api/auth/token",
        json.dumps({"username": "alice", "password": PASSWORD}),
        content_type="application/json",
        CONTENT_LENGTH=length,
    )
    assert set(assert_json_error(response, 400)) == {"detail"}
