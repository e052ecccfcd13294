"""The cache down for real (Redis on a port where nothing listens, or a peer that never answers).

Cats keep working, since only a cached count is at stake; rate-limited endpoints refuse with a
JSON 503 unless the host lets them through. No mock: Django's own Redis backend against a real
socket.
"""

import socket
import threading

import pytest
from django.core.cache import caches
from django.test import override_settings

from django_catgram.models import Cat
from tests.conftest import PASSWORD, png_url

# Real commits: the work after a commit (forgetting cached counts, deleting a replaced photo)
# runs as it does in production.
pytestmark = pytest.mark.django_db(transaction=True)


def redis_cache(port):
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }


@pytest.fixture
def refused_port():
    """A port on which nothing listens: connections are refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def silent_port():
    """A peer that accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    accepted = []
    stop = threading.Event()

    def accept():
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    for connection in accepted:
        connection.close()
    server.close()


@pytest.fixture(params=["refused", "silent"])
def cache_down(request, refused_port):
    port = refused_port if request.param == "refused" else request.getfixturevalue("silent_port")
    with override_settings(CACHES=redis_cache(port)):
        caches.close_all()
        yield
    caches.close_all()


@pytest.fixture
def as_alice_cache_down(as_alice, cache_down):
    """Alice, logged in while the cache worked, then the cache goes down."""
    return as_alice


# A count kept by the database, and one that would be cached.
@pytest.mark.parametrize("query", [None, "color=red&owner=me"])
def test_listing_and_writing_cats_works_while_the_cache_is_down(as_alice_cache_down, query):
    api = as_alice_cache_down
    created = api.post("cats/", {"name": "Tom", "color": "red", "birth_year": 2020})
    assert created.status_code == 201
    cat_id = created.json()["id"]
    listed = api.get("cats/", query)
    assert listed.status_code == 200
    assert listed.json()["count"] == 1
    changed = api.patch(f"cats/{cat_id}/", {"name": "Jerry", "achievements": []})
    assert changed.status_code == 200
    assert api.get("cats/", query).json()["count"] == 1
    assert api.delete(f"cats/{cat_id}/").status_code == 204
    assert api.get("cats/", query).json()["count"] == 0
    assert not Cat.objects.exists()


def test_a_photo_write_commits_and_keeps_its_file_while_the_cache_is_down(as_alice_cache_down):
    from django.core.files.storage import default_storage

    created = as_alice_cache_down.post(
        "cats/", {"name": "Tom", "color": "red", "birth_year": 2020, "image": png_url()}
    )
    assert created.status_code == 201
    name = Cat.objects.get().image.name
    assert default_storage.exists(name)
    replaced = as_alice_cache_down.patch(f"cats/{created.json()['id']}/", {"image": png_url()})
    assert replaced.status_code == 200
    new_name = Cat.objects.get().image.name
    assert default_storage.exists(new_name)
    assert not default_storage.exists(name)


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("auth/token", {"username": "alice", "password": PASSWORD}),
        ("token/login/", {"username": "alice", "password": PASSWORD}),
        ("users/", {"username": "newcomer", "password": PASSWORD}),
        ("users/reset_password/", {"email": "alice@example.com"}),
    ],
)
def test_a_rate_limited_endpoint_refuses_with_503_while_its_limit_cannot_be_checked(
    anonymous, alice, cache_down, path, body
):
    response = anonymous.post(path, body)
    assert response.status_code == 503
    assert response["Content-Type"].startswith("application/json")
    assert set(response.json()) == {"detail"}
    assert int(response["Retry-After"]) > 0


def test_the_host_may_let_rate_limited_requests_through_while_the_cache_is_down(
    anonymous, alice, cache_down
):
    with override_settings(CATGRAM={"THROTTLE_FAIL_OPEN": True}):
        response = anonymous.post("auth/token", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 200


def test_a_login_view_outside_the_api_refuses_with_503_while_its_limit_cannot_be_checked(
    client, alice, cache_down
):
    response = client.post("/admin/login/", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
