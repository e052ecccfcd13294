"""The benchmark: ours beside the floor and the DRF peer, figures and ratios, in bench/RESULTS.md.

Run it as ``python3 dev.py bench`` (options after it). For each database it seeds the example
project with ``catgram_seed`` and the DRF peer (shared/peers/drf) with the same shape, serves
them with gunicorn (sync workers, DJANGO_DEBUG=0) and drives them from a load generator on
loopback, bounded in time. Read endpoints run in turns with the floor (bench/floor.py) and the
peer in the same rounds, so that their ratios hold on a noisy machine. Then, on PostgreSQL with
Redis as the cache, list pages per filter and a mixed workload at 10,000 and 1,000,000 cats.
"""

from __future__ import annotations

import argparse
import base64
import functools
import io
import json
import os
import platform
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path
from typing import IO
from urllib.parse import urlencode

import webcolors

from bench.load import Request, Result, median, run, run_kinds
from live_tests.faults import multipart
from live_tests.server import ROOT, ExampleSite, call, free_port, fresh_database_url

RESULTS = ROOT / "bench" / "RESULTS.md"
MEMORY = ROOT / "bench" / "MEMORY.md"
PASSWORD = "bench-password"
POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"
# The mixed workload's cache: a database number of its own, flushed before each size.
MIXED_REDIS = "redis://127.0.0.1:6379/7"
PEER = ROOT.parent / "shared" / "peers" / "drf"
PEER_REQUIREMENTS = [
    "Django>=5.2,<5.3", "djangorestframework", "djoser", "webcolors<25", "pillow", "gunicorn",
    "psycopg[binary]",
]  # fmt: skip
# Made once and reused: installing takes longer than a short trial.
PEER_VENV = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "catgram-drf-peer"
FLOOR_TARGET, PEER_TARGET = 0.8, 2.5  # the issue's: of the floor's req/s, of the DRF peer's
SEED_SHAPE = {"users": 100, "achievements": 50, "per_cat": 3}
# catgram_seed runs in one transaction under ExampleSite.manage's 300 s limit: at most this many
# cats a call.
SEED_CHUNK = 200_000


class Site(ExampleSite):
    """The example project with the floor's URLs on a fresh database, served by one gunicorn."""

    def __init__(
        self, workdir: Path, database: str, name: str = "catgram_bench", **extra_env: str
    ) -> None:
        server_url = POSTGRES if database == "postgresql" else None
        super().__init__(
            workdir,
            name,
            server_url,
            DJANGO_SETTINGS_MODULE="bench.settings",
            PYTHONPATH=str(ROOT),
            **extra_env,
        )
        self.url = ""

    def seed(self, cats: int) -> None:
        self.manage("migrate", "--noinput")
        self.manage("createcachetable")
        self.add_cats(cats)

    def add_cats(self, cats: int) -> None:
        started = time.monotonic()
        for chunk in range(0, cats, SEED_CHUNK):
            self.manage(
                "catgram_seed", "--users", str(SEED_SHAPE["users"]),
                "--cats", str(min(SEED_CHUNK, cats - chunk)),
                "--achievements", str(SEED_SHAPE["achievements"]),
                "--per-cat", str(SEED_SHAPE["per_cat"]), "--password", PASSWORD,
            )  # fmt: skip
        print(f"  seeded {cats} cats in {time.monotonic() - started:.0f}s", flush=True)

    def analyze(self) -> None:
        """Statistics and the visibility map, as autovacuum would make them on a live site soon
        after a load (an index-only scan, such as a count's, needs the map)."""
        self.manage(
            "shell",
            "-c",
            "from django.db import connection; connection.cursor().execute('VACUUM ANALYZE')",
        )

    def clear_cache(self) -> None:
        self.manage("shell", "-c", "from django.core.cache import cache; cache.clear()")

    def start(self, workers: int) -> None:  # type: ignore[override]
        [self.url] = super().start(processes=1, threads=1, workers=workers, worker_class="sync")

    def new_worker(self) -> int:
        """Stop the (only) worker; gunicorn starts a new one, whose pid this returns."""
        [old] = self.worker_pids()
        os.kill(old, signal.SIGTERM)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            pids = self.worker_pids()
            if pids and old not in pids:
                [new] = pids
                call(f"{self.url}/api/")  # the new worker has loaded the app
                return new
            time.sleep(0.1)
        raise TimeoutError("gunicorn did not start a new worker")

    def worker_pids(self) -> list[int]:
        [(process, _)] = self.processes
        children = Path(f"/proc/{process.pid}/task/{process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]


def peer_python() -> str:
    """The DRF peer's own virtual environment, made once and remade when its requirements
    change."""
    python = PEER_VENV / "bin" / "python"
    stamp = PEER_VENV / "requirements.txt"
    wanted = "\n".join(PEER_REQUIREMENTS)
    if not stamp.exists() or stamp.read_text() != wanted:
        print(f"  installing the DRF peer's packages into {PEER_VENV}", flush=True)
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(PEER_VENV)], check=True)
        subprocess.run([python, "-m", "pip", "install", "--quiet", *PEER_REQUIREMENTS], check=True)
        stamp.write_text(wanted)
    return str(python)


class Peer:
    """The DRF peer, copied out of its (maybe read-only) folder, on a fresh database of its
    own: its reference style and its PEER_OPTIMIZED=1 style, each served by one gunicorn."""

    STYLES = {"drf": {}, "drf-opt": {"PEER_OPTIMIZED": "1"}}

    def __init__(self, workdir: Path, database: str, python: str) -> None:
        self.workdir = workdir
        self.folder = workdir / "drf"
        shutil.copytree(PEER, self.folder, ignore=shutil.ignore_patterns(".venv", "*.sqlite3"))
        self.folder.chmod(0o755)
        shutil.copy(ROOT / "bench" / "peer_settings.py", self.folder)
        self.python = python
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "peer_settings",
            "PYTHONPATH": str(self.folder),
            "PEER_DB": str(workdir / "drf.sqlite3"),
            "PEER_MEDIA": str(workdir / "drf-media"),
        }
        if database == "postgresql":
            self.env["PEER_DATABASE_URL"] = fresh_database_url(
                workdir, "catgram_bench_peer", POSTGRES
            )
        self.servers: list[tuple[subprocess.Popen, IO[str]]] = []
        self.urls: dict[str, str] = {}

    def manage(self, *args: str) -> str:
        result = subprocess.run(
            [self.python, "manage.py", *args],
            env=self.env, cwd=self.folder, capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    def seed(self, cats: int) -> None:
        started = time.monotonic()
        self.manage("migrate", "-v0")
        shape = ", ".join(f"{key}={value}" for key, value in SEED_SHAPE.items())
        self.manage("shell", "-c", f"import peer.seed; peer.seed.run({cats}, {shape})")
        print(f"  seeded the DRF peer in {time.monotonic() - started:.0f}s", flush=True)

    def token(self, username: str) -> str:
        """The user's DRF token, made in a shell (the peer's login is not what is measured)."""
        output = self.manage(
            "shell", "--no-imports", "-c",
            "from django.contrib.auth import get_user_model\n"
            "from rest_framework.authtoken.models import Token\n"
            f"user = get_user_model().objects.get(username={username!r})\n"
            "print(Token.objects.get_or_create(user=user)[0].key)",
        )  # fmt: skip
        return output.split()[-1]

    def versions(self) -> str:
        return self.manage(
            "shell", "--no-imports", "-c",
            "from importlib.metadata import version\n"
            "print(', '.join(f'{name} {version(name)}' for name in "
            "('django', 'djangorestframework', 'djoser')))",
        ).strip()  # fmt: skip

    def start(self, workers: int) -> None:
        for style, extra_env in self.STYLES.items():
            port = free_port()
            log = (self.workdir / f"{style}-{workers}-workers.log").open("w")
            process = subprocess.Popen(
                [
                    self.python, "-m", "gunicorn", "peer.wsgi", "--bind", f"127.0.0.1:{port}",
                    "--workers", str(workers), "--worker-class", "sync", "--timeout", "60",
                    "--no-control-socket",
                ],
                env={**self.env, **extra_env}, cwd=self.folder, stdout=log,
                stderr=subprocess.STDOUT,
            )  # fmt: skip
            self.servers.append((process, log))
            self.urls[style] = f"http://127.0.0.1:{port}"
        for url in self.urls.values():
            wait_for(f"{url}/api/")

    def stop(self) -> None:
        for process, log in self.servers:
            process.terminate()
            process.wait(timeout=30)
            log.close()
        self.servers, self.urls = [], {}


def wait_for(url: str, timeout: float = 60) -> None:
    """Until the server answers at all (the peer's /api/ is a 401)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            call(url)
            return
        except (urllib.error.URLError, ConnectionError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def memory_kb(pid: int, field: str) -> int:
    """VmRSS (now) or VmHWM (peak) of a process, in kB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise LookupError(field)


def token_for(url: str, username: str) -> str:
    status, body = call(
        f"{url}/api/auth/token", "POST", {"username": username, "password": PASSWORD}
    )
    assert status == 200, body
    return body["token"]


def fixed(path: str, headers: dict[str, str]) -> Callable[[int], Request]:
    """The same GET every time."""
    request = Request("GET", path, None, headers)
    return lambda number: request


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def phone_jpeg() -> bytes:
    """A 12-megapixel JPEG (4032x3024, as phone cameras take) of about 4 MB: gradients and noise,
    which compress about as a photo does."""
    from PIL import Image

    size = (4032, 3024)
    gradient = Image.linear_gradient("L").resize(size)
    noise = Image.effect_noise(size, 48)
    flips = (Image.Transpose.ROTATE_180, Image.Transpose.FLIP_LEFT_RIGHT)
    bands = [Image.blend(gradient, noise, 0.35)] + [
        Image.blend(gradient.transpose(flip), noise.transpose(flip), 0.35) for flip in flips
    ]
    buffer = io.BytesIO()
    Image.merge("RGB", bands).save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


class Report:
    def __init__(self) -> None:
        self.sections: list[str] = []

    def table(self, title: str, header: list[str], rows: list[list[str]]) -> None:
        lines = [f"### {title}", "", "| " + " | ".join(header) + " |"]
        lines.append("|" + "---|" * len(header))
        lines += ["| " + " | ".join(row) + " |" for row in rows]
        text = "\n".join(lines) + "\n"
        print("\n" + text, flush=True)
        self.sections.append(text)

    def text(self, text: str) -> None:
        print("\n" + text, flush=True)
        self.sections.append(text + "\n")


def figures(result: Result) -> list[str]:
    return [
        f"{result.per_second:.0f}",
        f"{result.percentile(0.5):.1f}",
        f"{result.percentile(0.99):.1f}",
        result.queries_per_request,
        ", ".join(f"{status}: {n}" for status, n in sorted(result.statuses.items(), key=str)),
    ]


def alternate(
    targets: list[tuple[str, str, Callable[[int], Request]]], rounds: int, seconds: float
) -> dict[str, tuple[Result, float]]:
    """Run each (name, base URL, requests) target in turn, ``rounds`` times: each one's figures
    over all rounds, and its median requests per second, whose ratios hold on a noisy machine."""
    runs: dict[str, list[Result]] = {name: [] for name, _, _ in targets}
    for _, url, make in targets:  # warm up: a new worker's first requests are slow
        run(url, make, seconds=seconds, max_requests=20)
    for _ in range(rounds):
        for name, url, make in targets:
            runs[name].append(run(url, make, seconds=seconds))
    return {
        name: (functools.reduce(Result.merge, results), median([r.per_second for r in results]))
        for name, results in runs.items()
    }


def first_cat(url: str, headers: dict[str, str]) -> int:
    status, page = call(f"{url}/api/cats/", headers=headers)
    assert status == 200, page
    return page["results"][0]["id"]


def endpoints(
    site: Site, peer: Peer | None, report: Report, database: str, workers: int, args
) -> dict[str, dict[str, float]]:
    """Each read endpoint of ours, the floor's and the peer's, in turns; then our writes. The
    ratios of ours to the others, by endpoint."""
    token = token_for(site.url, "user1")
    ours = bearer(token)
    cat_id = first_cat(site.url, ours)
    status, mine = call(f"{site.url}/api/cats/?owner=me", token=token)
    my_cat = mine["results"][0]["id"]
    theirs = {"Authorization": f"Token {peer.token('user1')}"} if peer else {}
    peer_cat = first_cat(peer.urls["drf"], theirs) if peer else 0
    reads = [
        ("list page 1", "/api/cats/", "/floor/cats/", "/api/cats/"),
        ("list page 50", "/api/cats/?page=50", "/floor/cats/?page=50", "/api/cats/?page=50"),
        ("detail", f"/api/cats/{cat_id}/", f"/floor/cats/{cat_id}/", f"/api/cats/{peer_cat}/"),
        ("achievements", "/api/achievements/", "/floor/achievements/", "/api/achievements/"),
        ("users/me", "/api/users/me/", "/floor/users/me/", "/api/users/me/"),
    ]
    header = ["endpoint", "server", "req/s", "p50 ms", "p99 ms", "queries", "statuses"]
    header.append("ours / it")
    rows = []
    ratios: dict[str, dict[str, float]] = {}
    for name, ours_path, floor_path, peer_path in reads:
        targets = [
            ("ours", site.url, fixed(ours_path, ours)),
            ("floor", site.url, fixed(floor_path, ours)),
        ]
        if peer:
            targets += [(style, url, fixed(peer_path, theirs)) for style, url in peer.urls.items()]
        measured = alternate(targets, args.rounds, args.seconds)
        ours_per_second = measured["ours"][1]
        ratios[name] = {}
        for server, (result, per_second) in measured.items():
            ratio = ""
            if server != "ours":
                ratios[name][server] = ours_per_second / per_second
                ratio = f"**{ratios[name][server]:.2f}**"
            rows.append([name, server, *figures(result), ratio])

    def create(number: int) -> Request:
        body = {
            "name": f"Bench {number % 1000}",
            "color": "#A9A9A9",
            "birth_year": "2020",
            "achievements": [{"achievement_name": f"Bench {number % k}"} for k in (3, 7, 11)],
        }
        return Request("POST", "/api/cats/", body, ours)

    def patch(number: int) -> Request:
        body = {"name": f"Patched {number % 100}", "birth_year": 2000 + number % 20}
        return Request("PATCH", f"/api/cats/{my_cat}/", body, ours)

    def login(number: int) -> Request:
        body = {"username": f"user{number % 100}", "password": PASSWORD}
        return Request("POST", "/api/auth/token", body)

    for name, make in (
        ("create, 3 achievements", create),
        ("patch", patch),
        ("token login", login),
    ):
        result = run(site.url, make, seconds=args.seconds * args.rounds)
        rows.append([name, "ours", *figures(result), ""])
    peak = max(memory_kb(pid, "VmHWM") for pid in site.worker_pids())
    title = f"{database}, {args.cats} cats, {workers} sync worker(s)"
    report.table(f"{title}; peak worker RSS of ours {peak / 1024:.0f} MB", header, rows)
    return ratios


def ratio_table(report: Report, ratios: dict[tuple[str, int], dict[str, dict[str, float]]]) -> None:
    """Every configuration's ratios in one table, against the issue's targets, and the floor's
    own ratio to drf: where that is below the drf target, no app on Django reaches it."""
    servers = ["floor", *Peer.STYLES]
    rows = []
    for (database, workers), by_endpoint in ratios.items():
        for endpoint, of in by_endpoint.items():
            met = of["floor"] >= FLOOR_TARGET and of.get("drf", PEER_TARGET) >= PEER_TARGET
            cells = [f"{of[server]:.2f}" if server in of else "-" for server in servers]
            floor_to_drf = f"{of['drf'] / of['floor']:.2f}" if "drf" in of else "-"
            rows.append(
                [database, str(workers), endpoint, *cells, floor_to_drf, "yes" if met else "**no**"]
            )
    report.table(
        f"Ratios of ours (median req/s of the rounds); targets: ≥ {FLOOR_TARGET} of the floor, "
        f"≥ {PEER_TARGET} × drf",
        [
            "database", "workers", "endpoint", *(f"ours / {server}" for server in servers),
            "floor / drf", "met",
        ],
        rows,
    )  # fmt: skip


def memory(site: Site, report: Report, args) -> None:
    """RSS over many requests, and the peak growth of one create with a 12-megapixel photo,
    sent as a data URL and as a multipart upload, each in a new worker (one worker)."""
    token = token_for(site.url, "user2")
    [pid] = site.worker_pids()
    run(site.url, fixed("/api/cats/", bearer(token)), seconds=60, max_requests=2000)
    before = memory_kb(pid, "VmRSS")
    result = run(site.url, fixed("/api/cats/", bearer(token)), seconds=300, max_requests=20000)
    after = memory_kb(pid, "VmRSS")
    report.text(
        f"Worker RSS over {result.count} requests of list page 1: {before / 1024:.1f} MB before, "
        f"{after / 1024:.1f} MB after ({(after - before) / 1024:+.1f} MB)."
    )
    photo = phone_jpeg()
    fields = {"name": "Big photo", "color": "red", "birth_year": "2020"}
    data_url = json.dumps(
        {**fields, "image": "data:image/jpeg;base64," + base64.b64encode(photo).decode()}
    ).encode()
    form_type, form = multipart(fields, {"image": ("cat.jpg", "image/jpeg", photo)})
    rows = []
    for sent, body, content_type in (
        ("data URL in JSON", data_url, "application/json"),
        ("multipart upload", form, form_type),
    ):
        pid = site.new_worker()
        # The worker's own peak first: a few creates without a photo and list pages.
        run(site.url, fixed("/api/cats/", bearer(token)), seconds=5, max_requests=200)
        call(f"{site.url}/api/cats/", "POST", {**fields, "name": "Warm-up"}, token)
        peak_before = memory_kb(pid, "VmHWM")
        status = post(f"{site.url}/api/cats/", body, content_type, token)
        growth = (memory_kb(pid, "VmHWM") - peak_before) * 1024
        rows.append(
            [sent, f"{len(body) / 1e6:.1f}", str(status), f"{growth / 1e6:.1f}",
             f"**{growth / len(photo):.1f}x**"]
        )  # fmt: skip
    report.table(
        f"Peak worker memory growth of one create with a {photo_size(photo)} JPEG of "
        f"{len(photo) / 1e6:.1f} MB",
        ["sent as", "body MB", "status", "peak growth MB", "growth / photo size"],
        rows,
    )


def photo_size(photo: bytes) -> str:
    from PIL import Image

    with Image.open(io.BytesIO(photo)) as image:
        return f"{image.width}x{image.height}"


def post(url: str, body: bytes, content_type: str, token: str) -> int:
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={"Content-Type": content_type, "Authorization": f"Bearer {token}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


FILTERS = [
    ("none", ""),
    ("owner=me", "owner=me"),
    ("color", "color=red"),
    ("birth_year", "birth_year=2020"),
    ("birth_year_min", "birth_year_min=2024"),
    ("birth_year_max", "birth_year_max=2008"),
    ("achievement", "achievement=Catches%20mice"),
    ("search", "search=bars"),
    ("ordering", "ordering=-birth_year"),
]


def filter_latencies(site: Site, seconds: float) -> dict[str, Result]:
    token = token_for(site.url, "user3")
    return {
        name: run(site.url, fixed(f"/api/cats/?{query}", bearer(token)), seconds=seconds)
        for name, query in FILTERS
    }


# The plans of a list's page and of its count: the query that reads the kept count, or the
# rows a cached count is counted from on a miss.
EXPLAIN = """
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django_catgram.cats import cats
from django_catgram.counts import kept_count
from django_catgram.filters import filter_cats
request = RequestFactory().get("/api/cats/?" + QUERY)
request.user = get_user_model().objects.get(username="user3")
queryset = filter_cats(request, cats())
print("page:", queryset[:10].explain())
with CaptureQueriesContext(connection) as counting:
    kept = kept_count(queryset)
if kept is None:
    print("count (cached; on a miss):", queryset.order_by().explain())
else:
    with connection.cursor() as cursor:
        explain = connection.ops.explain_query_prefix()
        cursor.execute(f"{explain} {counting.captured_queries[-1]['sql']}")
        plan = [" ".join(map(str, row)) for row in cursor.fetchall()]
        print("count (kept):", "\\n".join(plan))
"""


# What the mixed workload needs to know of the data: the users' ids, the achievements' and
# cats' names, the largest cat id, and some cats of each writer, newest first.
FACTS = """
import json
from django.contrib.auth import get_user_model
from django_catgram.models import Achievement, Cat
users = dict(get_user_model().objects.values_list("username", "id"))
newest = Cat.objects.order_by("-id").values_list("id", flat=True)
first = Cat.objects.order_by("id").values_list("name", flat=True)[:100]
print(json.dumps({
    "user_ids": sorted(users.values()),
    "achievements": sorted(Achievement.objects.values_list("name", flat=True)),
    "names": sorted({name.split()[0] for name in first}),
    "max_cat": newest[0],
    "own": {name: list(newest.filter(owner_id=users[name])[:POOL]) for name in WRITERS},
}))
"""
MIXED_USERS = [f"user{number}" for number in range(10)]
# Each writer's cats: these many newest, the first PATCHED of them patched, the rest deleted
# in turn (never one of another user's, never twice).
POOL, PATCHED = 400, 50
DEEPEST_PAGE = 900  # exists at 10,000 cats even after the workload's deletes


class Mix:
    """The mixed workload's n-th request, from a random generator seeded with the seed and n:
    90% list pages with random filters, 5% details, 5% creates, patches and deletes by the
    requesting user of its own cats. Search terms are never repeated, so that no count or page
    of a search is cached before it is asked."""

    def __init__(self, facts: dict, tokens: dict[str, str], seed: int) -> None:
        self.facts, self.tokens, self.seed = facts, tokens, seed
        self.this_year = datetime.now(timezone.utc).year
        self.lock = threading.Lock()
        self.searched: set[str] = set()
        self.deletable = {user: ids[PATCHED:] for user, ids in facts["own"].items()}
        self.may_delete = {cat for ids in self.deletable.values() for cat in ids}
        self.colors = webcolors.names("css3")

    def __call__(self, number: int) -> Request:
        rng = random.Random(f"{self.seed}:{number}")
        user = rng.choice(MIXED_USERS)
        headers = bearer(self.tokens[user])
        roll = rng.random()
        if roll < 0.90:
            return Request("GET", f"/api/cats/?{self.list_query(rng)}", None, headers, "list")
        if roll < 0.95:
            cat = rng.randint(1, self.facts["max_cat"])
            while cat in self.may_delete:
                cat = rng.randint(1, self.facts["max_cat"])
            return Request("GET", f"/api/cats/{cat}/", None, headers, "detail")
        kind = rng.choice(["create", "patch", "delete"])
        if kind == "delete":
            with self.lock:
                cats = self.deletable[user]
                cat = cats.pop() if cats else None
            if cat is not None:
                return Request("DELETE", f"/api/cats/{cat}/", None, headers, "delete")
        if kind == "create":
            body = {
                "name": f"Mixed {number}",
                "color": rng.choice(self.colors),
                "birth_year": rng.randint(self.this_year - 20, self.this_year),
                "achievements": [{"achievement_name": rng.choice(self.facts["achievements"])}],
            }
            return Request("POST", "/api/cats/", body, headers, "create")
        cat = rng.choice(self.facts["own"][user][:PATCHED])
        body = {"name": f"Patched {number}", "birth_year": rng.randint(2010, self.this_year)}
        return Request("PATCH", f"/api/cats/{cat}/", body, headers, "patch")

    def list_query(self, rng: random.Random) -> str:
        """No filter (30%: 60% a page of the first five, 40% a deep one), else one or two
        filters on page 1, or one filter on page 2 to 5 (never past the few results of two
        filters or a search); either way an ordering now and then."""
        params: dict[str, object] = {}
        if rng.random() < 0.3:
            page = rng.randint(1, 5) if rng.random() < 0.6 else rng.randint(6, DEEPEST_PAGE)
        else:
            names = rng.sample(list(self.filters), 1 if rng.random() < 0.7 else 2)
            params = {name: self.filters[name](rng) for name in names}
            deep = len(names) == 1 and "search" not in params and rng.random() < 0.4
            page = rng.randint(2, 5) if deep else 1
        if rng.random() < 0.3:
            params["ordering"] = rng.choice(["", "-"]) + rng.choice(["name", "birth_year", "id"])
        if page > 1:
            params["page"] = page
        return urlencode(params)

    @functools.cached_property
    def filters(self) -> dict[str, Callable[[random.Random], object]]:
        year = self.this_year
        return {
            "owner": lambda rng: "me" if rng.random() < 0.5 else rng.choice(self.facts["user_ids"]),
            "color": lambda rng: rng.choice(self.colors),
            "birth_year": lambda rng: rng.randint(year - 20, year),
            "birth_year_min": lambda rng: rng.randint(year - 20, year - 3),
            "birth_year_max": lambda rng: rng.randint(year - 17, year),
            "achievement": lambda rng: rng.choice(self.facts["achievements"]),
            "search": self.fresh_term,
        }

    def fresh_term(self, rng: random.Random) -> str:
        """A part of a cat's name and a number, which no request asked before."""
        while True:
            name = rng.choice(self.facts["names"])
            start = rng.randrange(len(name) - 2)
            term = f"{name[start : start + 3]} {rng.randrange(10 ** rng.randint(1, 3))}"
            with self.lock:
                if term not in self.searched:
                    self.searched.add(term)
                    return term


MIXED_KINDS = ["list", "detail", "create", "patch", "delete"]


def mixed(site: Site, args) -> dict[str, Result]:
    tokens = {user: token_for(site.url, user) for user in MIXED_USERS}
    script = f"WRITERS = {MIXED_USERS!r}\nPOOL = {POOL}\n{FACTS}"
    facts = json.loads(site.manage("shell", "--no-imports", "-c", script).splitlines()[-1])
    return run_kinds(
        site.url, Mix(facts, tokens, args.mixed_seed), seconds=args.mixed_seconds,
        connections=args.mixed_connections,
    )  # fmt: skip


def at_scale(report: Report, workdir: Path, args) -> None:
    """On one PostgreSQL database grown in steps, with Redis as the cache and two workers: list
    page 1 per filter at 10,000 and ``args.scale`` cats, and the mixed workload at each of
    ``args.mixed_sizes`` (the cache flushed before each)."""
    filter_sizes = [10_000, args.scale] if args.scale else []
    (workdir / "scale").mkdir()
    site = Site(workdir / "scale", "postgresql", "catgram_bench_scale", REDIS_URL=MIXED_REDIS)
    site.manage("migrate", "--noinput")
    latencies: dict[int, dict[str, Result]] = {}
    mixes: dict[int, dict[str, Result]] = {}
    seeded = 0
    for size in sorted({*filter_sizes, *args.mixed_sizes}):
        site.add_cats(size - seeded)
        seeded = size
        site.analyze()
        site.start(workers=2)
        try:
            if size in args.mixed_sizes:
                site.clear_cache()
                started = time.monotonic()
                mixes[size] = mixed(site, args)
                print(f"  mixed workload at {size:,} cats in {time.monotonic() - started:.0f}s")
            if size in filter_sizes:
                latencies[size] = filter_latencies(site, args.seconds)
        finally:
            site.stop()
    if mixes:
        mixed_tables(report, mixes, args)
    if latencies:
        filter_table(report, site, latencies[10_000], latencies[args.scale], args.scale)


def mixed_tables(report: Report, mixes: dict[int, dict[str, Result]], args) -> None:
    rows = []
    for size, results in mixes.items():
        rows += [
            [kind, f"{size:,}", *figures(results[kind])] for kind in MIXED_KINDS if kind in results
        ]
    report.table(
        f"postgresql + Redis, mixed workload: {args.mixed_seconds:g} s, "
        f"{args.mixed_connections} connections, 2 sync workers, seed {args.mixed_seed}",
        ["kind", "cats", "req/s", "p50 ms", "p99 ms", "queries", "statuses"],
        rows,
    )
    smallest, largest = min(mixes), max(mixes)
    small, large = mixes[smallest]["list"], mixes[largest]["list"]
    ratio = large.percentile(0.5) / small.percentile(0.5)
    p99 = large.percentile(0.99)
    report.text(
        f"List p50 at {largest:,} / at {smallest:,} cats: **{ratio:.2f}** (target ≤ 2); "
        f"list p99 at {largest:,}: **{p99:.1f} ms** (target ≤ 100)."
    )


def filter_table(
    report: Report, site: Site, small: dict[str, Result], large: dict[str, Result], size: int
) -> None:
    rows = []
    for name, _ in FILTERS:
        ratio = large[name].percentile(0.5) / small[name].percentile(0.5)
        rows.append(
            [
                name,
                f"{small[name].percentile(0.5):.1f}",
                f"{large[name].percentile(0.5):.1f}",
                f"**{ratio:.2f}**",
                large[name].queries_per_request,
            ]
        )
    report.table(
        f"postgresql + Redis, list page 1 p50 at 10,000 and {size:,} cats",
        ["filter", "p50 ms at 10k", f"p50 ms at {size:,}", "ratio", "queries"],
        rows,
    )
    plans = []
    for name, query in FILTERS:
        output = site.manage("shell", "--no-imports", "-c", f"QUERY = {query!r}\n{EXPLAIN}")
        plans.append(f"#### {name}\n\n```\n{output.strip()}\n```\n")
    report.text(f"### EXPLAIN at {size:,} cats\n\n" + "\n".join(plans))


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    packages = ", ".join(
        f"{name} {version(name)}"
        for name in ("django", "django-ninja", "django-ninja-jwt", "pydantic", "gunicorn")
    )
    return (
        f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC; {os.cpu_count()} cores ({cpu}); "
        f"Python {platform.python_version()}; {packages}."
    )


def sizes(value: str) -> list[int]:
    """Comma-separated numbers of cats (for argparse); empty or 0 for none."""
    return [int(size) for size in value.split(",") if size.strip() and int(size)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cats", type=int, default=10_000, help="cats seeded (10,000)")
    parser.add_argument("--seconds", type=float, default=3, help="seconds per measurement (3)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds (3)")
    parser.add_argument("--databases", default="sqlite,postgresql", help="sqlite and/or postgresql")
    parser.add_argument(
        "--scale", type=int, default=1_000_000, help="cats for the PostgreSQL scale test (0: skip)"
    )
    parser.add_argument(
        "--mixed-sizes", type=sizes, default=[10_000, 1_000_000],
        help="cats for the mixed workload, comma-separated (10000,1000000; 0: skip)",
    )  # fmt: skip
    parser.add_argument(
        "--mixed-seconds", type=float, default=60, help="seconds of mixed workload a size (60)"
    )
    parser.add_argument(
        "--mixed-connections", type=int, default=4, help="mixed workload's connections (4)"
    )
    parser.add_argument("--mixed-seed", type=int, default=1, help="mixed workload's seed (1)")
    parser.add_argument(
        "--skip", type=lambda value: set(value.split(",")), default=set(),
        help="comma-separated: endpoints (the figures of each database and worker count), "
        "memory (the worker memory figures), peer (the DRF peer)",
    )  # fmt: skip
    parser.add_argument(
        "--only",
        choices=["memory"],
        help="memory: only the worker memory figures (one SQLite worker), to bench/MEMORY.md",
    )
    parser.add_argument(
        "--output", type=Path, help="where to write (bench/RESULTS.md, or MEMORY.md for --only)"
    )
    args = parser.parse_args()
    report = Report()
    command = " ".join(["python3 dev.py bench", *sys.argv[1:]])
    report.text(f"# Benchmark results\n\n{machine()}\n\nCommand: `{command}`")
    results = args.output or (MEMORY if args.only == "memory" else RESULTS)
    databases = [] if args.only or "endpoints" in args.skip else args.databases.split(",")
    peer_python_path = peer_python() if databases and "peer" not in args.skip else None
    ratios: dict[tuple[str, int], dict[str, dict[str, float]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        if args.only == "memory":
            (workdir / "memory").mkdir()
            site = Site(workdir / "memory", "sqlite")
            site.seed(args.cats)
            site.start(workers=1)
            try:
                memory(site, report, args)
            finally:
                site.stop()
        for database in databases:
            print(f"{database}:", flush=True)
            (workdir / database).mkdir()
            site = Site(workdir / database, database)
            site.seed(args.cats)
            peer = None
            if peer_python_path:
                peer = Peer(workdir / database, database, peer_python_path)
                peer.seed(args.cats)
            for workers in (1, 2):
                started = time.monotonic()
                site.start(workers)
                if peer:
                    peer.start(workers)
                try:
                    ratios[database, workers] = endpoints(
                        site, peer, report, database, workers, args
                    )
                    if workers == 1 and "memory" not in args.skip:
                        memory(site, report, args)
                finally:
                    site.stop()
                    if peer:
                        peer.stop()
                print(f"  {workers} worker(s) in {time.monotonic() - started:.0f}s", flush=True)
        if ratios:
            ratio_table(report, ratios)
            if peer:
                report.text(f"The DRF peer: {peer.versions()}.")
        if (args.scale or args.mixed_sizes) and "postgresql" in args.databases and not args.only:
            print("postgresql + Redis at scale:", flush=True)
            at_scale(report, workdir, args)
    results.write_text("\n".join(report.sections))
    print(f"\nWritten to {results}.")


if __name__ == "__main__":
    main()
