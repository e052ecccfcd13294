import json
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import override_settings

PASSWORD = "Purr-Purr-2020!"


class Api:
    """Calls the API as its clients do: JSON with its Content-Type always, an optional token."""

    def __init__(self, client, token=None, scheme="Bearer"):
        self.client = client
        self.token = token
        self.scheme = scheme

    def request(self, method, path, body=None, query=None):
        headers = {"Authorization": f"{self.scheme} {self.token}"} if self.token else {}
        return self.client.generic(
            method,
            f"/api/{path}" + (f"?{query}" if query else ""),
            data="" if body is None else json.dumps(body),
            content_type="application/json",
            headers=headers,
        )

    def get(self, path, query=None):
        return self.request("GET", path, query=query)

    def post(self, path, body=None):
        return self.request("POST", path, body)

    def put(self, path, body=None):
        return self.request("PUT", path, body)

    def patch(self, path, body=None):
        return self.request("PATCH", path, body)

    def delete(self, path, body=None):
        return self.request("DELETE", path, body)

    def log_in(self, username, password=PASSWORD, scheme="Bearer"):
        """A client for the same site, logged in through ``auth/token``."""
        response = self.post("auth/token", {"username": username, "password": password})
        assert response.status_code == 200, response.json()
        return Api(self.client, response.json()["token"], scheme)


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """Rate limits count in Django's cache: each test starts with none used."""
    cache.clear()


@pytest.fixture
def anonymous(client):
    return Api(client)


@pytest.fixture
def make_user(db):
    def make(username, **extra):
        return get_user_model().objects.create_user(
            username, email=f"{username}@example.com", password=PASSWORD, **extra
        )

    return make


@pytest.fixture
def alice(make_user):
    return make_user("alice")


@pytest.fixture
def bob(make_user):
    return make_user("bob")


@pytest.fixture
def staff(make_user):
    return make_user("staff", is_staff=True)


@pytest.fixture
def as_alice(anonymous, alice):
    return anonymous.log_in("alice")


@pytest.fixture
def as_bob(anonymous, bob):
    return anonymous.log_in("bob")


@pytest.fixture
def as_staff(anonymous, staff):
    return anonymous.log_in("staff")


def link_in_mail(message):
    """The uid and token at the end of the link in a mail the API sent."""
    url = next(line for line in message.body.splitlines() if "://" in line).strip()
    uid, token = url.split("/")[-2:]
    return {"uid": uid, "token": token}


@pytest.fixture
def media(tmp_path):
    """Photos in a real folder (Django's file-system storage), instead of in memory."""
    storages = {
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=storages):
        yield tmp_path


def files_in(folder: Path) -> list[str]:
    """The files under ``folder``, as storage names."""
    return sorted(
        path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_file()
    )
