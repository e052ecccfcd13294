"""Every Auth and Users row of API.md, for each kind of caller: anonymous, self, other, staff.

``self`` is alice, whose id ``{alice}`` stands for; ``other`` is bob; ``staff`` a staff user.
"""

import pytest

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Whiskers-Anew-77"
BAD_LINK = {"uid": "MTIz", "token": "abc-123"}
CALLERS = ("anonymous", "self", "other", "staff")

ROWS = [
    ("POST", "users/", {"username": "newbie", "password": PASSWORD}, (201, 201, 201, 201)),
    ("GET", "users/", None, (401, 200, 200, 200)),
    ("GET", "users/me/", None, (401, 200, 200, 200)),
    ("PUT", "users/me/", {"email": "new@example.com"}, (401, 200, 200, 200)),
    ("PATCH", "users/me/", {"email": "new@example.com"}, (401, 200, 200, 200)),
    ("DELETE", "users/me/", {"current_password": PASSWORD}, (401, 204, 204, 204)),
    ("GET", "users/{alice}/", None, (401, 200, 404, 200)),
    ("PUT", "users/{alice}/", {"email": "new@example.com"}, (401, 200, 404, 200)),
    ("PATCH", "users/{alice}/", {"email": "new@example.com"}, (401, 200, 404, 200)),
    ("DELETE", "users/{alice}/", {"current_password": PASSWORD}, (401, 204, 404, 204)),
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
    ("POST", "auth/token", {"username": "alice", "password": PASSWORD}, (200, 200, 200, 200)),
    ("POST", "auth/token/", {"username": "alice", "password": PASSWORD}, (200, 200, 200, 200)),
    ("POST", "auth/token/refresh", {"refresh": "forged"}, (401, 401, 401, 401)),
    ("POST", "auth/token/verify", {"token": "forged"}, (401, 401, 401, 401)),
    ("POST", "auth/token/blacklist", {"refresh": "forged"}, (401, 401, 401, 401)),
    ("POST", "token/login/", {"username": "alice", "password": PASSWORD}, (200, 200, 200, 200)),
    ("POST", "token/login", {"username": "alice", "password": PASSWORD}, (200, 200, 200, 200)),
    ("POST", "token/logout/", None, (401, 204, 204, 204)),
]


@pytest.mark.parametrize("scheme", ["Bearer", "Token"])
@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize(
    ("method", "path", "body", "statuses"), ROWS, ids=[f"{m} {p}" for m, p, _, _ in ROWS]
)
def test_each_row_for_each_caller(
    anonymous, alice, bob, staff, caller, scheme, method, path, body, statuses
):
    client = (
        anonymous
        if caller == "anonymous"
        else anonymous.log_in(
            {"self": "alice", "other": "bob", "staff": "staff"}[caller], scheme=scheme
        )
    )
    response = client.request(method, path.format(alice=alice.pk), body)
    expected = statuses[CALLERS.index(caller)]
    assert response.status_code == expected, response.content
    if expected in (204,):
        assert response.content == b""
    elif expected >= 400 and expected != 400:
        assert set(response.json()) == {"detail"}
