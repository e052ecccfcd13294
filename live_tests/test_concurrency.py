"""Many clients at once against two server processes on one database: nothing lost or mixed.

Bounded: a fixed number of requests from a fixed number of threads, on loopback only.
"""

import base64
import io
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from urllib.parse import urlsplit

from PIL import Image

from live_tests.server import call, log_in

CLIENTS = 16


def run_all(jobs):
    with ThreadPoolExecutor(CLIENTS) as pool:
        return list(pool.map(lambda job: job(), jobs))


def report(what, results):
    statuses = Counter(status for status, _ in results)
    print(f"\n{what}: {len(results)} requests, statuses {dict(sorted(statuses.items()))}")
    return statuses


def tiny_png(color):
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), color).save(buffer, "PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def create_cat(url, token, body):
    """A cat created through the API at ``url``: its object (the test fails unless 201)."""
    status, cat = call(f"{url}/api/cats/", "POST", body, token)
    assert status == 201, cat
    return cat


def all_cats(url, token):
    cats, next_url = [], f"{url}/api/cats/"
    while next_url:
        status, page = call(next_url, token=token)
        assert status == 200, page
        cats += page["results"]
        next_url = page["next"]
    return cats


def test_clients_creating_cats_with_shared_new_achievements_lose_nothing(site):
    urls = site.urls
    tokens = [log_in(urls[index % 2], f"user{index}") for index in range(8)]

    def create(index):
        body = {
            "name": f"Racer {index}",
            "color": "#A9A9A9",
            "birth_year": "2020",
            "achievements": [
                {"achievement_name": "Shared new A"},
                {"achievement_name": "Shared new B"},
                {"achievement_name": f"Own {index}"},
            ],
        }
        return call(f"{urls[index % 2]}/api/cats/", "POST", body, tokens[index % 8])

    results = run_all([partial(create, index) for index in range(96)])
    assert report("concurrent creates", results) == {201: 96}
    status, achievements = call(f"{urls[0]}/api/achievements/", token=tokens[0])
    names = Counter(item["achievement_name"] for item in achievements)
    print(f"achievement rows: {sum(names.values())}, 'Shared new A': {names['Shared new A']}")
    assert names["Shared new A"] == names["Shared new B"] == 1
    assert all(names[f"Own {index}"] == 1 for index in range(96))
    status, page = call(f"{urls[1]}/api/cats/?achievement=Shared%20new%20B", token=tokens[1])
    assert page["count"] == 96
    assert all(len(cat["achievements"]) == 3 for cat in page["results"])


def test_concurrent_patches_of_one_cat_leave_one_whole_request(site):
    urls = site.urls
    token = log_in(urls[0], "user0")
    cat = create_cat(urls[0], token, {"name": "Target", "color": "red", "birth_year": 2001})
    colors = ["red", "blue", "green", "black", "white", "orange", "purple", "gray"]
    bodies = [
        {
            "name": f"Patched {index}",
            "color": colors[index % len(colors)],
            "birth_year": 1990 + index % 30,
            "achievements": [{"achievement_name": f"Patch mark {index}"}],
        }
        for index in range(48)
    ]
    jobs = [
        partial(call, f"{urls[index % 2]}/api/cats/{cat['id']}/", "PATCH", body, token)
        for index, body in enumerate(bodies)
    ]
    assert report("concurrent patches of one cat", run_all(jobs)) == {200: 48}
    status, final = call(f"{urls[1]}/api/cats/{cat['id']}/", token=token)
    index = int(final["name"].removeprefix("Patched "))
    print(f"final row is request {index}'s: {final}")
    sent = bodies[index]
    assert (final["color"], final["birth_year"]) == (sent["color"], sent["birth_year"])
    assert [a["achievement_name"] for a in final["achievements"]] == [f"Patch mark {index}"]


def etag(url, token):
    """The ETag a HEAD request reads, from a real server (which sends no body)."""
    request = urllib.request.Request(
        url, method="HEAD", headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        assert response.status == 200
        return response.headers["ETag"]


def test_editors_who_read_one_version_and_write_at_once_get_one_write_through(site):
    """If-Match is checked under the row lock: of 16 writes based on one version, one commits
    and the others are 412, whichever server process answers them."""
    urls = site.urls
    token = log_in(urls[0], "user0")
    cat = create_cat(urls[0], token, {"name": "Shared", "color": "red", "birth_year": 2001})
    path = f"/api/cats/{cat['id']}/"
    read = etag(urls[1] + path, token)

    def write(index):
        body = {"name": f"Editor {index}"}
        return call(urls[index % 2] + path, "PATCH", body, token, {"If-Match": read})

    results = run_all([partial(write, index) for index in range(CLIENTS)])
    assert report("writes based on one version", results) == {200: 1, 412: CLIENTS - 1}
    (winner,) = [body for status, body in results if status == 200]
    status, final = call(urls[0] + path, token=token)
    assert final == winner
    assert etag(urls[0] + path, token) != read


def test_racing_creates_patches_and_deletes_leave_no_orphan_file_or_row(site):
    urls = site.urls
    token = log_in(urls[0], "user1")

    def create(index):
        body = {"name": f"Ghost {index}", "color": "white", "birth_year": 2015}
        body["image"] = tiny_png("white")
        return create_cat(urls[index % 2], token, body)["id"]

    cat_ids = run_all([partial(create, index) for index in range(24)])

    def patch(index, cat_id):
        body = {"image": tiny_png("black"), "achievements": [{"achievement_name": f"Late {index}"}]}
        return call(f"{urls[index % 2]}/api/cats/{cat_id}/", "PATCH", body, token)

    def delete(index, cat_id):
        return call(f"{urls[(index + 1) % 2]}/api/cats/{cat_id}/", "DELETE", token=token)

    # (the achievement a PATCH adds, or None for a DELETE; the request)
    jobs = []
    deleted = [cat_id for index, cat_id in enumerate(cat_ids) if index % 3 != 2]
    for index, cat_id in enumerate(cat_ids):
        jobs.append((f"Late {index}", partial(patch, index, cat_id)))
        if cat_id in deleted:
            jobs.append((None, partial(delete, index, cat_id)))
        if index % 3 == 0:
            jobs.append((f"Late {index + 100}", partial(patch, index + 100, cat_id)))
    results = run_all([job for _, job in jobs])
    statuses = report("racing patches and deletes", results)
    assert set(statuses) <= {200, 204, 404}
    assert statuses[204] == len(deleted)

    remaining = all_cats(urls[0], token)
    ghosts = {cat["id"] for cat in remaining if cat["name"].startswith("Ghost")}
    assert ghosts == set(cat_ids) - set(deleted)
    stored = {
        str(path.relative_to(site.media_root))
        for path in (site.media_root / "cats" / "images").iterdir()
    }
    referenced = {
        urlsplit(cat[key]).path.removeprefix("/media/")
        for cat in remaining
        for key in ("image_url", "thumbnail_url")
        if cat[key]
    }
    print(f"photo files: {len(stored)}, referenced by cats: {len(referenced)}")
    assert stored == referenced
    status, achievements = call(f"{urls[1]}/api/achievements/", token=token)
    late = {a["achievement_name"] for a in achievements if a["achievement_name"].startswith("Late")}
    patched = {
        name for (name, _), (status, _) in zip(jobs, results, strict=True) if name and status == 200
    }
    # Achievements of a PATCH that lost the race to a DELETE were rolled back with it.
    assert late == patched


def test_one_refresh_token_used_at_once_by_many_clients_gives_one_new_pair(site):
    urls = site.urls
    status, pair = call(
        f"{urls[0]}/api/auth/token", "POST", {"username": "user2", "password": "catgram-demo"}
    )
    assert status == 200
    jobs = [
        partial(
            call, f"{urls[index % 2]}/api/auth/token/refresh", "POST", {"refresh": pair["refresh"]}
        )
        for index in range(16)
    ]
    assert report("concurrent refreshes of one token", run_all(jobs)) == {200: 1, 401: 15}
