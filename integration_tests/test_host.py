"""django-catgram pip-installed into a foreign site, over HTTP against a real server process.

The host (integration_tests/host_template) logs people in by e-mail address with a user model of
its own, mounts the API at /v2/, and in one variant serves our routers from its own NinjaAPI.
"""

import json
import re
import urllib.request
from urllib.parse import unquote

from integration_tests.host import data_url, png_bytes

PASSWORD = "Whisker-Lantern-83"


def register(host, email, password=PASSWORD):
    status, body = host.call("/v2/users/", "POST", {"username": email, "password": password})
    assert status == 201, body
    return body


def log_in(host, email, password=PASSWORD):
    status, body = host.call("/v2/auth/token", "POST", {"username": email, "password": password})
    assert status == 200, body
    return body["token"]


def user_row(host, email):
    """The user's row as the host's own ORM sees it."""
    script = (
        "import json; from django.contrib.auth import get_user_model; "
        f"user = get_user_model().objects.get(email={email!r}); "
        "print(json.dumps([user.pk, user.email, user.display_name, user.is_active]))"
    )
    # The last line: Django's shell may first say what it imported.
    return json.loads(host.manage("shell", "-c", script).splitlines()[-1])


def test_our_migrations_run_after_the_hosts_user_model_and_need_no_new_ones(host):
    applied = re.findall(r"Applying (\S+)\.\.\. OK", host.migrate_output)
    assert applied.index("accounts.0001_initial") < applied.index("catgram.0001_initial")
    assert "catgram.0002_revokedaccesstoken" in applied
    # Our migrations point at AUTH_USER_MODEL, so a host's own user model asks for no new ones.
    assert "No changes detected" in host.manage("makemigrations", "--check", "--dry-run")
    assert "no issues" in host.manage("check", "--fail-level", "WARNING")


def test_register_log_in_and_keep_a_cat_with_a_photo(host):
    email = f"alice-{host.variant}@example.org"
    user = register(host, email)
    assert set(user) == {"email", "id", "username"}
    assert user["username"] == email
    assert user["email"] == email
    # The host's own field was named by its receiver of user_registered (accounts/receivers.py);
    # the account is active (activation is off).
    assert user_row(host, email) == [user["id"], email, email.partition("@")[0], True]

    token = log_in(host, email)
    status, me = host.call("/v2/users/me/", token=token)
    assert (status, me) == (200, user)

    photo = png_bytes()
    cat = {
        "name": "Barsik",
        "color": "#A9A9A9",
        "birth_year": 2020,
        "achievements": [{"achievement_name": "Catches mice"}],
        "image": data_url(photo),
    }
    status, created = host.call("/v2/cats/", "POST", cat, token=token)
    assert status == 201, created
    assert created["owner"] == user["id"]
    assert created["color"] == "darkgray"
    assert [a["achievement_name"] for a in created["achievements"]] == ["Catches mice"]
    assert created["image_url"].startswith("/media/cats/images/")
    assert created["image"] == host.url + created["image_url"]
    # Saved through the host's storage: its MEDIA_ROOT holds exactly the bytes sent.
    stored = host.folder / "media" / unquote(created["image_url"].removeprefix("/media/"))
    assert stored.read_bytes() == photo

    status, page = host.call(f"/v2/cats/?owner={user['id']}", token=token)
    assert status == 200, page
    assert page["count"] == 1
    assert page["results"] == [created]
    status, fetched = host.call(f"/v2/cats/{created['id']}/", token=token)
    assert (status, fetched) == (200, created)


def test_registration_checks_the_email_address_that_is_the_username(host):
    status, body = host.call(
        "/v2/users/", "POST", {"username": "not-an-address", "password": PASSWORD}
    )
    assert status == 400
    assert list(body) == ["username"]
    email = f"bob-{host.variant}@example.org"
    register(host, email)
    status, body = host.call("/v2/users/", "POST", {"username": email, "password": PASSWORD})
    assert status == 400
    assert list(body) == ["username"]
    status, body = host.call("/v2/auth/token", "POST", {"username": email, "password": "nope"})
    assert status == 401


def test_djoser_token_login_works_with_the_email_username(host):
    email = f"carol-{host.variant}@example.org"
    register(host, email)
    status, body = host.call("/v2/token/login/", "POST", {"username": email, "password": PASSWORD})
    assert status == 200, body
    status, me = host.call("/v2/users/me/", token=body["auth_token"])
    assert status == 200
    assert me["username"] == email


def test_password_reset_mails_a_link_that_works(host):
    email = f"dave-{host.variant}@example.org"
    register(host, email)
    status, _ = host.call("/v2/users/reset_password/", "POST", {"email": email})
    assert status == 204
    # The console mail backend writes the mail into the server's log.
    links = re.findall(r"#/password/reset/confirm/([\w-]+)/([\w-]+)", host.mails())
    assert links, host.logs()
    uid, token = links[-1]
    new_password = "Lantern-Whisker-38"
    status, body = host.call(
        "/v2/users/reset_password_confirm/",
        "POST",
        {"uid": uid, "token": token, "new_password": new_password},
    )
    assert status == 204, body
    log_in(host, email, new_password)


def test_pages_have_the_hosts_catgram_page_size(host):
    token = log_in(host, register(host, f"erin-{host.variant}@example.org")["email"])
    status, me = host.call("/v2/users/me/", token=token)
    for index in range(6):
        status, body = host.call(
            "/v2/cats/", "POST", {"name": f"Kit {index}", "color": "tan", "birth_year": 2024},
            token=token,
        )  # fmt: skip
        assert status == 201, body
    status, page = host.call(f"/v2/cats/?owner={me['id']}", token=token)
    assert status == 200
    assert page["count"] == 6
    assert len(page["results"]) == 5  # CATGRAM = {"PAGE_SIZE": 5}
    assert page["next"] == f"{host.url}/v2/cats/?owner={me['id']}&page=2"


def test_the_api_is_mounted_at_the_hosts_prefix_with_json_404s(include_host):
    status, document = include_host.call("/v2/openapi.json")
    assert status == 200
    assert "/v2/cats/" in document["paths"]
    assert all(path.startswith("/v2/") for path in document["paths"])
    assert include_host.call("/v2/nowhere/") == (404, {"detail": "Not found."})
    assert include_host.call("/api/cats/")[0] == 404


def test_the_hosts_own_api_serves_its_routes_and_ours_in_one_document(own_api_host):
    assert own_api_host.call("/v2/shop/items/") == (200, [{"name": "Salmon treats", "price": 3}])
    # Our url names live in the host's namespace: nothing clashes with django-catgram's own.
    assert own_api_host.call("/v2/shop/cats-link/") == (200, {"cats": "/v2/cats/"})

    status, document = own_api_host.call("/v2/openapi.json")
    assert status == 200
    assert document["info"]["title"] == "Site API"
    paths = document["paths"]
    assert {"/v2/shop/items/", "/v2/cats/", "/v2/auth/token", "/v2/users/"} <= set(paths)
    operation_ids = [op["operationId"] for item in paths.values() for op in item.values()]
    assert len(operation_ids) == len(set(operation_ids))
    assert document["components"]["securitySchemes"]["JWTAuth"]["scheme"] == "bearer"
    assert paths["/v2/cats/"]["get"]["security"] == [{"JWTAuth": []}]

    # Our error shapes hold on the host's API too.
    assert own_api_host.call("/v2/cats/")[0] == 401
    status, body = own_api_host.call("/v2/users/", "POST", {"username": "x@example.org"})
    assert status == 400
    assert list(body) == ["password"]


def test_the_docs_page_uses_the_locally_installed_assets(host):
    with urllib.request.urlopen(host.url + "/v2/docs", timeout=30) as response:
        page = response.read().decode()
    assert response.status == 200
    assert "/static/ninja/swagger-ui" in page
    assert "cdn" not in page.lower()


def test_seeded_demo_users_have_valid_addresses_and_log_in(include_host):
    """Regression: catgram_seed stored ``user0`` in an e-mail USERNAME_FIELD, an invalid address."""
    include_host.manage("catgram_seed", "--users", "2", "--cats", "3", "--admin")
    script = (
        "from django.contrib.auth import get_user_model; "
        "users = get_user_model().objects.filter(email__startswith='user').order_by('pk'); "
        "[user.full_clean() for user in users]; "
        "print(*[(user.email, user.display_name, user.is_superuser) for user in users], sep='|')"
    )
    output = include_host.manage("shell", "-c", script).splitlines()[-1]
    assert (
        output
        == "('user0@example.com', 'Cat lover', True)|('user1@example.com', 'Cat lover', False)"
    )
    token = log_in(include_host, "user0@example.com", "catgram-demo")
    status, me = include_host.call("/v2/users/me/", token=token)
    assert status == 200
    assert me["username"] == me["email"] == "user0@example.com"
