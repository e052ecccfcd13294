"""Faults injected for real into the example project, served by gunicorn on PostgreSQL.

Each test breaks one thing for real (database connections, the disk, the file permissions, the
cache, the clients), drives the API over HTTP meanwhile, and then checks the invariants against
PostgreSQL and the media folder themselves:

- every answer of /api/ is JSON, never an HTML page;
- a write answers 2xx if and only if it committed: no 5xx for a write whose row is there, no row
  (and no file) left by a write that answered 5xx; a 5xx is ``{"detail"}``, a 503 has
  Retry-After;
- no row points at a missing file, and no file of the photo folder is unreferenced (after
  ``catgram_sweep`` where the fault leaves orphans by design);
- no request waits much longer than the configured timeouts.

Bounded: a few dozen requests per fault, on loopback; about a minute in all.
"""

from __future__ import annotations

import os
import re
import socket
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import pytest
from PIL import Image

from live_tests.faults import (
    Answer,
    BackendTerminator,
    Journal,
    SilentListener,
    Trickler,
    cat_rows,
    check_rows_and_files,
    check_unwritable,
    data_url,
    file_size_limit,
    image_name,
    photo_folder,
    png,
    readme_gunicorn_args,
    row_files,
    stored_files,
    unwritable,
    with_thumbnails,
)
from live_tests.server import DEMO_PASSWORD, ExampleSite, free_port

MB = 1024 * 1024
# How the exceptions a server logged begin (the last line of a traceback).
ERROR_LINES = ("OSError", "PermissionError", "psycopg", "django.db", "redis", "FileNotFoundError")


@pytest.fixture
def make_site(tmp_path):
    """``make_site(key)``: a migrated, seeded example project on a fresh database."""
    sites = []

    def make(key: str) -> ExampleSite:
        env_name = os.environ.get("TOX_ENV_NAME", "local").replace("-", "_")
        site = ExampleSite(tmp_path / key, f"catgram_faults_{env_name}_{key}")
        site.workdir.mkdir()
        site.prepare("--users", "8", "--cats", "4")
        sites.append(site)
        return site

    yield make
    for site in sites:
        site.stop()
        errors = [line for line in site.logs().splitlines() if line.startswith(ERROR_LINES)]
        print(f"server logs: {len(errors)} errors logged, the last ones: {errors[-3:]}")


def log_in(journal: Journal, url: str, username: str) -> str:
    answer = journal.send(
        f"{url}/api/auth/token", "POST", {"username": username, "password": DEMO_PASSWORD}
    )
    assert answer.status == 200, str(answer)
    return answer.body["token"]


def cat_body(name: str, photo: bytes | None = None) -> dict:
    body = {"name": name, "color": "red", "birth_year": 2020}
    if photo is not None:
        body["image"] = data_url(photo)
    return body


def upload(journal: Journal, url: str, token: str, name: str, photo: bytes, **options) -> Answer:
    """POST cats/ as a multipart form with the photo as a file."""
    return journal.send(
        f"{url}/api/cats/",
        "POST",
        token=token,
        form={"name": name, "color": "red", "birth_year": "2020"},
        files={"image": ("photo.png", "image/png", photo)},
        **options,
    )


def names_of_rows(site: ExampleSite) -> Counter:
    return Counter(name for name, *_ in cat_rows(site).values())


def check_failed_writes_left_nothing(site: ExampleSite, failed_names: list[str]) -> None:
    """No row of a create that answered 5xx (the files are checked by check_rows_and_files)."""
    names = names_of_rows(site)
    left = [name for name in failed_names if names[name]]
    assert not left, f"creates that answered 5xx left rows: {left}"


def sweep(site: ExampleSite, *args: str) -> list[str]:
    output = site.manage("catgram_sweep", "--grace-seconds", "0", *args)
    print(f"catgram_sweep {' '.join(args)}:\n{output.rstrip()}")
    return output.splitlines()


def sweep_orphans(site: ExampleSite, orphans: set[str], allowed: set[str]) -> None:
    """Orphans that committed writes left (the deletion after the commit is best effort), or
    that failed writes kept while in doubt whether they had committed, are allowed, and
    ``catgram_sweep`` removes them; any other unreferenced file is the leftover of a write that
    failed."""
    if not orphans:
        return
    lines = sweep(site)
    not_reported = [
        orphan
        for orphan in orphans
        if not any(line.startswith("removed ") and Path(orphan).name in line for line in lines)
    ]
    unexpected = orphans - allowed
    assert not unexpected, (
        f"unreferenced files that no committed write left: {sorted(unexpected)}"
        f" (catgram_sweep then removed {len(orphans) - len(not_reported)} of {len(orphans)})"
    )
    assert not not_reported, f"catgram_sweep did not report removing {not_reported}"
    assert not [line for line in lines if line.startswith("missing ")]
    check_rows_and_files(site)


# a. Database connections terminated during photo writes -------------------------------------


def test_database_connections_terminated_during_photo_writes(make_site):
    site = make_site("terminate")
    urls = site.start(processes=2, threads=4)
    journal = Journal()
    clients, steps = 6, 10
    tokens = [log_in(journal, urls[index % 2], f"user{index + 1}") for index in range(clients)]
    writes: list[tuple[str, str | int, Answer]] = []  # ("create", name | "replace", id, answer)
    history: dict[int, list[Answer]] = {}  # each cat's writes, in order (one client per cat)

    def client(index: int) -> None:
        url, token, mine = urls[index % 2], tokens[index], []
        for step in range(steps):
            if step % 2 == 0 or not mine:
                name = f"K{index}-{step}"
                answer = journal.send(
                    f"{url}/api/cats/", "POST", cat_body(name, png(40, 40)), token, timeout=30
                )
                writes.append(("create", name, answer))
                if answer.ok:
                    mine.append(answer.body["id"])
                    history[answer.body["id"]] = [answer]
            else:
                cat_id = mine[step % len(mine)]
                answer = journal.send(
                    f"{url}/api/cats/{cat_id}/",
                    "PATCH",
                    {"image": data_url(png(40, 40))},
                    token,
                    timeout=30,
                )
                writes.append(("replace", cat_id, answer))
                history[cat_id].append(answer)

    terminator = BackendTerminator(site)
    terminator.start()
    try:
        with ThreadPoolExecutor(clients) as pool:
            list(pool.map(client, range(clients)))
    finally:
        terminator.stop()
    print(
        f"\ninjected: {terminator.terminated} backends terminated in {terminator.rounds} rounds"
        f" during {len(writes)} photo writes"
    )
    for kind in ("create", "replace"):
        journal.report(f"{kind}s", [answer for what, _, answer in writes if what == kind])
    statuses = journal.report("all requests")

    journal.check_all_json()
    odd = [str(answer) for _, _, answer in writes if not (answer.ok or answer.server_error)]
    assert not odd, "writes answered neither 2xx nor 5xx:\n" + "\n".join(odd)
    journal.check_server_errors()
    journal.check_within(10)
    assert terminator.terminated > 0
    assert any(answer.ok for _, _, answer in writes), statuses

    rows = cat_rows(site)
    created = [answer for what, _, answer in writes if what == "create" and answer.ok]
    failed = [name for what, name, answer in writes if what == "create" and not answer.ok]
    assert all(answer.body["id"] in rows for answer in created), "a 201 cat has no row"
    check_failed_writes_left_nothing(site, failed)
    wrong = {}
    for cat_id, answers in history.items():
        last_ok = [answer for answer in answers if answer.ok][-1]
        if rows[cat_id][1] != image_name(last_ok.body):
            wrong[cat_id] = (rows[cat_id][1], [str(answer) for answer in answers])
    assert not wrong, f"rows whose photo is not that of their last 2xx write: {wrong}"
    replaced = set()  # the photos committed replaces replaced
    for answers in history.values():
        committed = [image_name(answer.body) for answer in answers if answer.ok]
        replaced.update(committed[:-1])
    orphans = check_rows_and_files(site, orphans_allowed=True)
    for orphan in sorted(orphans - replaced):  # which writes were under way when it was written
        written = (site.media_root / orphan).stat().st_mtime
        during = [
            f"{what} {target}: {answer}"
            for what, target, answer in writes
            if answer.started - 0.01 <= written <= answer.started + answer.seconds + 0.01
        ]
        print(f"{orphan} ({stored_files(site)[orphan]} bytes) written during:", *during, sep="\n  ")
    # And those of failed writes the database could not say had not committed (it kept
    # dropping connections), which the server logs as kept.
    in_doubt = set(re.findall(r"Photo (\S+) kept: the database could not say", site.logs()))
    sweep_orphans(site, orphans, allowed=with_thumbnails(replaced | in_doubt))


# b. A photo write failing mid-file ----------------------------------------------------------


def test_photo_write_failing_mid_file_leaves_no_partial_file(make_site):
    site = make_site("fsize")
    limit = 64 * 1024
    url = site.start(processes=1, threads=4, preexec_fn=file_size_limit(limit))[0]
    journal = Journal()
    token = log_in(journal, url, "user1")
    small, big = png(16, 16), png(300, 300)
    print(f"\ninjected: RLIMIT_FSIZE {limit} bytes; photos of {len(small)} and {len(big)} bytes")
    assert len(small) < limit < len(big)

    before = journal.send(f"{url}/api/cats/", "POST", cat_body("Small before", small), token)
    assert before.status == 201, str(before)
    failed, big_writes = [], []
    for index in range(3):
        name = f"Big json {index}"
        big_writes.append(journal.send(f"{url}/api/cats/", "POST", cat_body(name, big), token))
        failed.append(name)
    for index in range(2):
        name = f"Big form {index}"
        big_writes.append(upload(journal, url, token, name, big))
        failed.append(name)
    replace = journal.send(
        f"{url}/api/cats/{before.body['id']}/", "PATCH", {"image": data_url(big)}, token
    )
    big_writes.append(replace)
    after = journal.send(f"{url}/api/cats/", "POST", cat_body("Small after", small), token)
    journal.report("writes of photos over the limit", big_writes)
    journal.report("all requests")
    print(f"files: {stored_files(site)}")

    journal.check_all_json()
    journal.check_server_errors()
    journal.check_within(5)
    not_5xx = [str(answer) for answer in big_writes if not answer.server_error]
    assert not not_5xx, "writes of a photo over the limit that did not answer 5xx:\n" + "\n".join(
        not_5xx
    )
    assert after.status == 201, str(after)
    check_failed_writes_left_nothing(site, failed)
    rows = cat_rows(site)
    assert rows[before.body["id"]][1] == image_name(before.body), "the failed replace changed it"
    for answer in (before, after):  # whole files, the photo and its thumbnail
        for key in ("image_url", "thumbnail_url"):
            with Image.open(site.media_root / image_name(answer.body, key)) as stored:
                stored.load()
                assert stored.size == (16, 16), answer
    check_rows_and_files(site)


# c. The media folder not writable -----------------------------------------------------------


def test_media_folder_not_writable(make_site):
    site = make_site("readonly")
    folder = photo_folder(site)
    url = site.start(processes=1, threads=4)[0]
    journal = Journal()
    token = log_in(journal, url, "user1")
    cats = {}
    for name in ("Unphotographed", "Deleted", "Replaced", "Renamed"):
        answer = journal.send(f"{url}/api/cats/", "POST", cat_body(name, png(24, 24)), token)
        assert answer.status == 201, str(answer)
        cats[name] = answer.body
    print(f"\ncats with photos: {len(cats)}; files: {len(stored_files(site))}")

    with unwritable(folder) as how:
        check_unwritable(folder)
        print(f"injected: the photo folder made unwritable ({how})")
        unphoto = journal.send(
            f"{url}/api/cats/{cats['Unphotographed']['id']}/", "PATCH", {"image": None}, token
        )
        deleted = journal.send(f"{url}/api/cats/{cats['Deleted']['id']}/", "DELETE", token=token)
        renamed = journal.send(
            f"{url}/api/cats/{cats['Renamed']['id']}/", "PATCH", {"name": "Renamed twice"}, token
        )
        without_photo = journal.send(f"{url}/api/cats/", "POST", cat_body("No photo"), token)
        refused = [
            journal.send(
                f"{url}/api/cats/{cats['Replaced']['id']}/",
                "PATCH",
                {"image": data_url(png(24, 24))},
                token,
            ),
            journal.send(f"{url}/api/cats/", "POST", cat_body("New json", png(24, 24)), token),
            upload(journal, url, token, "New form", png(24, 24)),
        ]
    journal.report("writes with the folder unwritable")

    journal.check_all_json()
    journal.check_server_errors()
    journal.check_within(5)
    rows, names = cat_rows(site), names_of_rows(site)
    renamed_id = cats["Renamed"]["id"]
    photo_changed = rows[cats["Replaced"]["id"]][1] != image_name(cats["Replaced"])
    # Each write: its answer, whether the database shows it committed, whether it must commit.
    writes = {
        "PATCH image null": (unphoto, rows[cats["Unphotographed"]["id"]][1] is None, True),
        "DELETE": (deleted, cats["Deleted"]["id"] not in rows, True),
        "PATCH name": (renamed, rows[renamed_id][0] == "Renamed twice", True),
        "POST without photo": (without_photo, names["No photo"] == 1, True),
        "PATCH new photo": (refused[0], photo_changed, False),
        "POST with photo": (refused[1], names["New json"] > 0, False),
        "POST upload": (refused[2], names["New form"] > 0, False),
    }
    for what, (answer, committed, _) in writes.items():
        print(f"{what}: {answer.status}, {'committed' if committed else 'left nothing'}")
    lying = {what: str(answer) for what, (answer, done, _) in writes.items() if answer.ok != done}
    assert not lying, f"answers that do not say whether the write committed: {lying}"
    wrong = {what: done for what, (_, done, must) in writes.items() if done != must}
    assert not wrong, f"writes that did (True) or did not (False) commit unexpectedly: {wrong}"
    not_5xx = [str(answer) for answer in refused if not answer.server_error]
    assert not not_5xx, "writes of a new photo did not answer 5xx:\n" + "\n".join(not_5xx)
    assert rows[renamed_id][1] == image_name(cats["Renamed"])
    check_failed_writes_left_nothing(site, ["New json", "New form"])
    orphans = check_rows_and_files(site, orphans_allowed=True)
    removed = with_thumbnails([image_name(cats["Unphotographed"]), image_name(cats["Deleted"])])
    print(f"orphans: {sorted(orphans)}")
    before_dry_run = stored_files(site)
    sweep(site, "--dry-run")
    assert stored_files(site) == before_dry_run, "catgram_sweep --dry-run removed files"
    sweep_orphans(site, orphans, allowed=removed)
    assert set(stored_files(site)) == row_files(cat_rows(site))


# d. The cache unreachable -------------------------------------------------------------------


@pytest.mark.parametrize("cache", ["refused", "silent"])
def test_cache_unreachable(make_site, cache):
    site = make_site(f"cache_{cache}")
    good = site.start(processes=1, threads=4)[0]
    journal = Journal()
    token = log_in(journal, good, "user1")  # tokens are checked against the database
    listener = SilentListener()
    if cache == "silent":
        listener.start()
    port = free_port() if cache == "refused" else listener.port
    try:
        url = site.start(processes=1, threads=4, env={"REDIS_URL": f"redis://127.0.0.1:{port}/0"})
        url = url[0]
        print(f"\ninjected: REDIS_URL redis://127.0.0.1:{port}/0 ({cache})")
        listed = journal.send(f"{url}/api/cats/", token=token)
        first = journal.send(f"{url}/api/cats/", "POST", cat_body("Cacheless", png(24, 24)), token)
        kept = journal.send(f"{url}/api/cats/", "POST", cat_body("Kept", png(24, 24)), token)
        cat_url = f"{url}/api/cats/{first.body['id'] if first.ok else 0}/"
        read = journal.send(cat_url, token=token)
        renamed = journal.send(cat_url, "PATCH", {"name": "Cacheless 2"}, token)
        replaced = journal.send(cat_url, "PATCH", {"image": data_url(png(24, 24))}, token)
        deleted = journal.send(cat_url, "DELETE", token=token)
        listed_again = journal.send(f"{url}/api/cats/", token=token)
        credentials = {"username": "user2", "password": DEMO_PASSWORD}
        limited = {
            "auth/token": journal.send(f"{url}/api/auth/token", "POST", credentials),
            "token/login/": journal.send(f"{url}/api/token/login/", "POST", credentials),
            "users/": journal.send(
                f"{url}/api/users/",
                "POST",
                {"username": f"new_{cache}", "password": "Secret-Whisker-42"},
            ),
            "users/reset_password/": journal.send(
                f"{url}/api/users/reset_password/", "POST", {"email": "user2@example.com"}
            ),
        }
        if cache == "refused":
            with pytest.raises(ConnectionRefusedError):  # the fault is real
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
    finally:
        listener.stop()
    journal.report(f"requests with the cache {cache}")
    if cache == "silent":
        print(f"connections the silent cache accepted: {len(listener.accepted)}")
        assert listener.accepted, "the servers never connected to the silent cache"

    journal.check_all_json()
    journal.check_server_errors()
    journal.check_within(3)
    served = {
        "GET cats/": listed,
        "POST cats/": first,
        "POST cats/ (kept)": kept,
        "GET cats/{id}/": read,
        "PATCH name": renamed,
        "PATCH image": replaced,
        "DELETE": deleted,
        "GET cats/ again": listed_again,
    }
    not_2xx = {what: str(answer) for what, answer in served.items() if not answer.ok}
    assert not not_2xx, f"cat requests that failed without a cache: {not_2xx}"
    not_503 = {
        path: str(answer)
        for path, answer in limited.items()
        if answer.status != 503 or not answer.headers.get("Retry-After")
    }
    assert not not_503, f"rate-limited requests not answered 503 with Retry-After: {not_503}"
    with psycopg.connect(site.env["DATABASE_URL"]) as db:
        users = db.execute(
            "SELECT count(*) FROM auth_user WHERE username = %s", [f"new_{cache}"]
        ).fetchone()[0]
    assert users == 0, "a registration that answered 503 created the user"
    rows = cat_rows(site)
    assert first.body["id"] not in rows
    assert rows[kept.body["id"]][1] == image_name(kept.body)
    orphans = check_rows_and_files(site, orphans_allowed=True)
    sweep_orphans(
        site, orphans, allowed=with_thumbnails([image_name(first.body), image_name(replaced.body)])
    )


# e. Slow clients ----------------------------------------------------------------------------


def test_slow_clients_do_not_hold_the_readme_server(make_site):
    site = make_site("slow")
    args = readme_gunicorn_args()
    print(f"\nthe README's command: gunicorn {' '.join(args)}")
    # Two workers of four threads, on any machine: six slow clients leave two threads free.
    url = site.start(processes=1, gunicorn_args=args, env={"GUNICORN_WORKERS": "2"})[0]
    journal = Journal()
    token = log_in(journal, url, "user1")
    for slow in (2, 4, 6):
        tricklers = [Trickler(url) for _ in range(slow)]
        for trickler in tricklers:
            trickler.start()
        time.sleep(1)  # every one holds a connection, its headers unfinished
        try:
            answers = []
            for _ in range(6):  # until one is refused or slow: each more would wait as long
                answers.append(journal.send(f"{url}/api/cats/", token=token, timeout=5))
                if answers[-1].status != 200 or answers[-1].seconds >= 4:
                    break
        finally:
            for trickler in tricklers:
                trickler.stop()
        sent = [trickler.sent for trickler in tricklers]
        closed = sum(trickler.closed_by_server for trickler in tricklers)
        print(f"injected: {slow} clients trickling headers (bytes sent {sent}, {closed} closed)")
        journal.report(f"normal requests beside {slow} slow clients", answers)
        assert [answer.status for answer in answers] == [200] * len(answers), [
            str(answer) for answer in answers
        ]
        # A request queued behind held threads waits its whole timeout (5 s); a busy machine
        # is slow, not that slow.
        slowest = max(answer.seconds for answer in answers)
        assert slowest < 4, f"a normal request waited {slowest:.2f}s beside {slow} slow clients"
    journal.check_all_json()


# f. The upload spool not writable -----------------------------------------------------------


def test_multipart_upload_with_an_unwritable_spool_folder(make_site):
    site = make_site("spool")
    spool = site.workdir / "spool"
    spool.mkdir()
    url = site.start(processes=1, threads=4, env={"DJANGO_FILE_UPLOAD_TEMP_DIR": str(spool)})[0]
    journal = Journal()
    token = log_in(journal, url, "user1")
    small, big = png(64, 64), png(1000, 1000)
    assert len(big) > 2.5 * MB
    with unwritable(spool) as how:
        check_unwritable(spool)
        print(
            f"\ninjected: DJANGO_FILE_UPLOAD_TEMP_DIR={spool} unwritable ({how}); uploads of"
            f" {len(small)} and {len(big)} bytes"
        )
        in_memory = upload(journal, url, token, "Small upload", small)
        spooled = [upload(journal, url, token, f"Big upload {index}", big) for index in range(2)]
    journal.report("uploads")

    journal.check_all_json()
    journal.check_server_errors()
    journal.check_within(10)
    assert in_memory.status == 201, str(in_memory)
    not_5xx = [str(answer) for answer in spooled if not answer.server_error]
    assert not not_5xx, "uploads that could not be spooled did not answer 5xx:\n" + "\n".join(
        not_5xx
    )
    check_failed_writes_left_nothing(site, ["Big upload 0", "Big upload 1"])
    assert not list(spool.iterdir())
    check_rows_and_files(site)


# Unserved paths -----------------------------------------------------------------------------


def test_unserved_api_paths_answer_json_for_every_method(make_site):
    site = make_site("paths")
    url = site.start(processes=1, threads=4)[0]
    journal = Journal()
    token = log_in(journal, url, "user3")
    paths = ("/api/cats", "/api/nope/", "/api/nope", "/api/users/me", "/api/cats/1/photo/")
    paths += ("/api/cats/", "/api/auth/token")  # served, but not for every method
    by_path = {}
    for path in paths:
        for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
            for auth in (None, token):
                body = {} if method in ("POST", "PUT", "PATCH") else None
                answer = journal.send(f"{url}{path}", method, body, auth)
                by_path.setdefault(path, Counter())[answer.status] += 1
    print()
    for path, statuses in by_path.items():
        print(f"{path}: {dict(sorted(statuses.items(), key=str))}")
    journal.report("requests to unserved paths and methods")
    journal.check_all_json()
    failed = [str(answer) for answer in journal.answers if not isinstance(answer.status, int)]
    failed += [str(answer) for answer in journal.answers if answer.server_error]
    assert not failed, "\n".join(failed)
    refusals = [answer for answer in journal.answers if answer.status in (404, 405)]
    not_detail = [str(answer) for answer in refusals if set(answer.body or {}) != {"detail"}]
    assert not not_detail, "\n".join(not_detail)
    no_allow = [str(a) for a in refusals if a.status == 405 and not a.headers.get("Allow")]
    assert not no_allow, "405 without Allow:\n" + "\n".join(no_allow)
    for path in ("/api/nope/", "/api/nope", "/api/cats/1/photo/"):
        assert set(by_path[path]) == {404}, (path, by_path[path])
