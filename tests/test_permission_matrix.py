"""Every operation of the API, for each kind of caller, with both token schemes.

The callers: anonymous; ``self``, alice, who owns the cat ``{cat_id}`` (which has a photo and the
achievement ``{achievement_id}``) and is the user ``{user_id}``; ``other``, bob; and ``staff``. A
refused request must leave the database and the storage exactly as they were.
"""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from django_catgram.api import api
from django_catgram.models import Achievement, AchievementCat, Cat, LoginSession
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Whiskers-Anew-77"
BAD_LINK = {"uid": "MTIz", "token": "abc-123"}
CALLERS = ("anonymous", "self", "other", "staff")
TOKEN_IN_BODY = {
    "auth/token/refresh",
    "auth/token/verify",
    "auth/token/blacklist",
    "auth/jwt/refresh/",
    "auth/jwt/verify/",
}

ROWS = [
    ("POST", "users/", {"username": "newbie", "password": PASSWORD}, (201, 201, 201, 201)),
    ("GET", "users/", None, (401, 200, 200, 200)),
    ("GET", "users/me/", None, (401, 200, 200, 200)),
    ("PUT", "users/me/", {"email": "new@example.com"}, (401, 200, 200, 200)),
    ("PATCH", "users/me/", {"email": "new@example.com"}, (401, 200, 200, 200)),
    ("DELETE", "users/me/", {"current_password": PASSWORD}, (401, 204, 204, 204)),
    ("GET", "users/{user_id}/", None, (401, 200, 404, 200)),
    ("PUT", "users/{user_id}/", {"email": "new@example.com"}, (401, 200, 404, 200)),
    ("PATCH", "users/{user_id}/", {"email": "new@example.com"}, (401, 200, 404, 200)),
    ("DELETE", "users/{user_id}/", {"current_password": PASSWORD}, (401, 204, 404, 204)),
    (
        "POST",
        "users/set_password/",
        {"new_password": NEW_PASSWORD, "current_password": PASSWORD},
        (401, 204, 204, 204),
    ),
    (
        "POST",
        "users/set_username/",
        {"current_password": PASSWORD, "new_username": "renamed"},
        (401, 204, 204, 204),
    ),
    ("POST", "users/reset_password/", {"email": "alice@example.com"}, (204, 204, 204, 204)),
    (
        "POST",
        "users/reset_password_confirm/",
        {**BAD_LINK, "new_password": NEW_PASSWORD},
        (400, 400, 400, 400),
    ),
    ("POST", "users/reset_username/", {"email": "alice@example.com"}, (204, 204, 204, 204)),
    (
        "POST",
        "users/reset_username_confirm/",
        {**BAD_LINK, "new_username": "renamed"},
        (400, 400, 400, 400),
    ),
    ("POST", "users/activation/", BAD_LINK, (400, 400, 400, 400)),
    ("POST", "users/resend_activation/", {"email": "alice@example.com"}, (400, 400, 400, 400)),
    ("POST", "users/email_change_confirm/", BAD_LINK, (400, 400, 400, 400)),
    ("POST", "auth/token", {"username": "alice", "password": PASSWORD}, (200, 200, 200, 200)),
    ("POST", "auth/token/", {"username": "alice", "password": PASSWORD}, (200, 200, 200, 200)),
    ("POST", "auth/token/refresh", {"refresh": "forged"}, (401, 401, 401, 401)),
    ("POST", "auth/token/verify", {"token": "forged"}, (401, 401, 401, 401)),
    ("POST", "auth/token/blacklist", {"refresh": "forged"}, (401, 401, 401, 401)),
    ("POST", "token/login/", {"username": "alice", "password": PASSWORD}, (200, 200, 200, 200)),
    ("POST", "token/login", {"username": "alice", "password": PASSWORD}, (200, 200, 200, 200)),
    ("POST", "token/logout/", None, (401, 204, 204, 204)),
    ("POST", "auth/jwt/create/", {"username": "alice", "password": PASSWORD}, (200,) * 4),
    ("POST", "auth/jwt/refresh/", {"refresh": "forged"}, (401, 401, 401, 401)),
    ("POST", "auth/jwt/verify/", {"token": "forged"}, (401, 401, 401, 401)),
    ("GET", "auth/sessions/", None, (401, 200, 200, 200)),
    # Alice's other session: only she may end it; staff too get 404.
    ("DELETE", "auth/sessions/{session_id}/", None, (401, 204, 404, 404)),
    ("POST", "auth/logout_all", None, (401, 204, 204, 204)),
    ("POST", "auth/logout_all/", None, (401, 204, 204, 204)),
    ("GET", "cats/", None, (401, 200, 200, 200)),
    ("POST", "cats/", {"name": "Newcat", "color": "red", "birth_year": 2020}, (401, 201, 201, 201)),
    ("GET", "cats/{cat_id}/", None, (401, 200, 200, 200)),
    (
        "PUT",
        "cats/{cat_id}/",
        {"name": "Renamed", "color": "blue", "birth_year": 2019, "image": None},
        (401, 200, 403, 200),
    ),
    ("PATCH", "cats/{cat_id}/", {"name": "Renamed", "image": None}, (401, 200, 403, 200)),
    ("DELETE", "cats/{cat_id}/", None, (401, 204, 403, 204)),
    ("GET", "achievements/", None, (401, 200, 200, 200)),
    ("POST", "achievements/", {"achievement_name": "Brand new"}, (401, 201, 201, 201)),
    ("GET", "achievements/{achievement_id}/", None, (401, 200, 200, 200)),
    (
        "PUT",
        "achievements/{achievement_id}/",
        {"achievement_name": "Renamed"},
        (401, 403, 403, 200),
    ),
    (
        "PATCH",
        "achievements/{achievement_id}/",
        {"achievement_name": "Renamed"},
        (401, 403, 403, 200),
    ),
    ("DELETE", "achievements/{achievement_id}/", None, (401, 403, 403, 204)),
]


@pytest.fixture
def session(alice):
    """A login of alice's on another device."""
    now = timezone.now()
    return LoginSession.objects.create(
        user=alice, created=now, last_used=now, expires_at=now + timedelta(days=1)
    )


@pytest.fixture
def cat(alice):
    """Alice's cat, with a photo and an achievement."""
    cat = Cat.objects.create(name="Barsik", color="darkgray", birth_year=2020, owner=alice)
    cat.image.save("photo.png", ContentFile(b"not decoded here"))
    cat.achievements.add(Achievement.objects.create(name="Catches mice"))
    yield cat
    for name in default_storage.listdir("cats/images")[1]:
        default_storage.delete(f"cats/images/{name}")


def snapshot():
    """Everything a request could change: the rows (the login sessions' ids) and the photos."""
    users = get_user_model().objects.order_by("pk")
    return (
        list(users.values_list("username", "email", "password", "is_active")),
        list(Cat.objects.order_by("pk").values_list()),
        list(Achievement.objects.order_by("pk").values_list()),
        list(AchievementCat.objects.order_by("pk").values_list()),
        list(LoginSession.objects.order_by("pk").values_list("pk", "user")),
        sorted(default_storage.listdir("cats/images")[1]),
    )


def test_the_matrix_covers_every_documented_operation():
    documented = {
        (method.upper(), path.removeprefix("/api/"))
        for path, operations in api.get_openapi_schema()["paths"].items()
        for method in operations
    }
    assert documented <= {(method, path) for method, path, _, _ in ROWS}


@pytest.mark.parametrize("scheme", ["Bearer", "Token"])
@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize(
    ("method", "path", "body", "statuses"), ROWS, ids=[f"{m} {p}" for m, p, _, _ in ROWS]
)
def test_each_row_for_each_caller(
    anonymous, alice, bob, staff, cat, session, caller, scheme, method, path, body, statuses
):
    if caller == "anonymous":
        client = anonymous
    else:
        username = {"self": "alice", "other": "bob", "staff": "staff"}[caller]
        client = anonymous.log_in(username, scheme=scheme)
    before = snapshot()
    url = path.format(
        user_id=alice.pk,
        cat_id=cat.pk,
        achievement_id=cat.achievements.get().pk,
        session_id=session.pk,
    )
    response = client.request(method, url, body)
    expected = statuses[CALLERS.index(caller)]
    assert response.status_code == expected, response.content
    if expected == 204:
        assert response.content == b""
    elif expected >= 400 and expected != 400:
        # simplejwt's body for a token sent in the body names its code too.
        token_in_body = path in TOKEN_IN_BODY and expected == 401
        assert set(response.json()) == ({"detail", "code"} if token_in_body else {"detail"})
    if method != "GET" and expected in (401, 403, 404):
        assert snapshot() == before


# Bodies a refused caller may send: none, not JSON, not an object, every field of the wrong type.
BAD_BODIES = ["", "{", "[]", '{"name": 5, "achievement_name": [], "email": 3, "image": 1}']
REFUSALS = [
    (method, path, caller, status)
    for method, path, _, statuses in ROWS
    for caller, status in zip(CALLERS, statuses, strict=True)
    if status in (401, 403, 404)
    and method in ("POST", "PUT", "PATCH", "DELETE")
    # Refused for what the body says (a forged token), not for who sends it.
    and path not in TOKEN_IN_BODY
] + [
    # Ids of nothing: 404 once the caller may write such a thing at all.
    ("PATCH", "cats/{missing}/", "self", 404),
    ("PUT", "achievements/{missing}/", "self", 403),
    ("PUT", "achievements/{missing}/", "staff", 404),
    ("DELETE", "users/{missing}/", "self", 404),
]


@pytest.mark.parametrize(
    ("method", "path", "caller", "status"),
    REFUSALS,
    ids=[f"{method} {path} {caller}" for method, path, caller, _ in REFUSALS],
)
def test_a_caller_refused_is_refused_whatever_the_body(
    anonymous, alice, bob, staff, cat, session, method, path, caller, status
):
    """As DRF checks permissions before it validates: a caller who may not write gets the same
    401, 403 or 404 whatever the body, and the database stays as it was."""
    client = anonymous
    if caller != "anonymous":
        client = anonymous.log_in({"self": "alice", "other": "bob", "staff": "staff"}[caller])
    url = "/api/" + path.format(
        user_id=alice.pk,
        cat_id=cat.pk,
        achievement_id=cat.achievements.get().pk,
        session_id=session.pk,
        missing=10**9,
    )
    headers = {"Authorization": f"Bearer {client.token}"} if client.token else {}
    before = snapshot()
    answers = {
        body: client.client.generic(method, url, body, "application/json", headers=headers)
        for body in BAD_BODIES
    }
    assert {body: response.status_code for body, response in answers.items()} == dict.fromkeys(
        BAD_BODIES, status
    )
    assert snapshot() == before
