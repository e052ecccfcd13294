"""The benchmark: ours beside the floor, figures and ratios, written to bench/RESULTS.md.

Run it as ``python3 dev.py bench`` (options after it). For each database it seeds the example
project with ``catgram_seed``, serves it with gunicorn (sync workers, DJANGO_DEBUG=0) and drives
it from a load generator on loopback, bounded in time. Read endpoints run alternately with the
floor (bench/floor.py) in the same run, so that their ratio holds on a noisy machine.
"""

from __future__ import annotations

import argparse
import base64
import io
import json
import os
import platform
import signal
import sys
import tempfile
import time
import urllib.error
import urllib.request
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path

from bench.load import Request, Result, median, run
from live_tests.faults import multipart
from live_tests.server import ROOT, ExampleSite, call

RESULTS = ROOT / "bench" / "RESULTS.md"
MEMORY = ROOT / "bench" / "MEMORY.md"
PASSWORD = "bench-password"
POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"


class Site(ExampleSite):
    """The example project with the floor's URLs on a fresh database, served by one gunicorn."""

    def __init__(self, workdir: Path, database: str) -> None:
        server_url = POSTGRES if database == "postgresql" else None
        super().__init__(
            workdir,
            "catgram_bench",
            server_url,
            DJANGO_SETTINGS_MODULE="bench.settings",
            PYTHONPATH=str(ROOT),
        )
        self.url = ""

    def seed(self, cats: int) -> None:
        self.manage("migrate", "--noinput")
        self.manage("createcachetable")
        self.add_cats(cats)

    def add_cats(self, cats: int) -> None:
        started = time.monotonic()
        self.manage(
            "catgram_seed", "--users", "100", "--cats", str(cats), "--achievements", "50",
            "--per-cat", "3", "--password", PASSWORD,
        )  # fmt: skip
        print(f"  seeded {cats} cats in {time.monotonic() - started:.0f}s", flush=True)

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


def fixed(method: str, path: str, token: str, body: object = None):
    request = Request(method, path, body, {"Authorization": f"Bearer {token}"})
    return lambda number: request


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


def alternate(site: Site, ours, floor, rounds: int, seconds: float) -> tuple[Result, Result, float]:
    """Run ours and the floor in turns; the ratio of their median requests per second."""
    ours_runs, floor_runs = [], []
    for _ in range(rounds):
        ours_runs.append(run(site.url, ours, seconds=seconds))
        floor_runs.append(run(site.url, floor, seconds=seconds))
    ratio = median([r.per_second for r in ours_runs]) / median([r.per_second for r in floor_runs])
    merged_ours, merged_floor = ours_runs[0], floor_runs[0]
    for result in ours_runs[1:]:
        merged_ours = merged_ours.merge(result)
    for result in floor_runs[1:]:
        merged_floor = merged_floor.merge(result)
    return merged_ours, merged_floor, ratio


def endpoints(site: Site, report: Report, database: str, workers: int, args) -> None:
    token = token_for(site.url, "user1")
    status, page = call(f"{site.url}/api/cats/", token=token)
    cat_id = page["results"][0]["id"]
    status, mine = call(f"{site.url}/api/cats/?owner=me", token=token)
    my_cat = mine["results"][0]["id"]
    reads = [
        ("list page 1", "/api/cats/", "/floor/cats/"),
        ("list page 50", "/api/cats/?page=50", "/floor/cats/?page=50"),
        ("detail", f"/api/cats/{cat_id}/", f"/floor/cats/{cat_id}/"),
        ("achievements", "/api/achievements/", "/floor/achievements/"),
    ]
    header = ["endpoint", "req/s", "p50 ms", "p99 ms", "queries", "statuses"]
    rows = []
    for name, ours_path, floor_path in reads:
        ours, floor, ratio = alternate(
            site, fixed("GET", ours_path, token), fixed("GET", floor_path, token),
            args.rounds, args.seconds,
        )  # fmt: skip
        rows.append([f"{name}", *figures(ours)])
        rows.append([f"{name}: floor", *figures(floor)])
        rows.append([f"**{name}: ours / floor**", f"**{ratio:.2f}**", "", "", "", ""])

    def create(number: int) -> Request:
        body = {
            "name": f"Bench {number % 1000}",
            "color": "#A9A9A9",
            "birth_year": "2020",
            "achievements": [{"achievement_name": f"Bench {number % k}"} for k in (3, 7, 11)],
        }
        return Request("POST", "/api/cats/", body, {"Authorization": f"Bearer {token}"})

    def patch(number: int) -> Request:
        body = {"name": f"Patched {number % 100}", "birth_year": 2000 + number % 20}
        return Request("PATCH", f"/api/cats/{my_cat}/", body, {"Authorization": f"Bearer {token}"})

    def login(number: int) -> Request:
        body = {"username": f"user{number % 100}", "password": PASSWORD}
        return Request("POST", "/api/auth/token", body)

    for name, make in (
        ("create, 3 achievements", create),
        ("patch", patch),
        ("token login", login),
    ):
        rows.append([name, *figures(run(site.url, make, seconds=args.seconds * args.rounds))])
    peak = max(memory_kb(pid, "VmHWM") for pid in site.worker_pids())
    title = f"{database}, {args.cats} cats, {workers} sync worker(s)"
    report.table(f"{title}; peak worker RSS {peak / 1024:.0f} MB", header, rows)


def memory(site: Site, report: Report, args) -> None:
    """RSS over many requests, and the peak growth of one create with a 12-megapixel photo,
    sent as a data URL and as a multipart upload, each in a new worker (one worker)."""
    token = token_for(site.url, "user2")
    [pid] = site.worker_pids()
    run(site.url, fixed("GET", "/api/cats/", token), seconds=60, max_requests=2000)
    before = memory_kb(pid, "VmRSS")
    result = run(site.url, fixed("GET", "/api/cats/", token), seconds=300, max_requests=20000)
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
        run(site.url, fixed("GET", "/api/cats/", token), seconds=5, max_requests=200)
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
        name: run(site.url, fixed("GET", f"/api/cats/?{query}", token), seconds=seconds)
        for name, query in FILTERS
    }


EXPLAIN = """
from django.contrib.auth import get_user_model
from django.test import RequestFactory
from django_catgram.cats import cats
from django_catgram.filters import filter_cats
request = RequestFactory().get("/api/cats/?" + QUERY)
request.user = get_user_model().objects.get(username="user3")
queryset = filter_cats(request, cats())
print("page:", queryset[:10].explain())
print("count:", queryset.order_by().explain())
"""


def scale(report: Report, workdir: Path, args) -> None:
    """List page 1 p50 for every filter at 10,000 and at ``args.scale`` cats, on PostgreSQL."""
    site = Site(workdir / "scale", "postgresql")
    (workdir / "scale").mkdir()
    site.seed(10_000)
    site.start(workers=2)
    small = filter_latencies(site, args.seconds)
    site.stop()
    site.add_cats(args.scale - 10_000)
    site.manage(
        "shell", "-c", "from django.db import connection; connection.cursor().execute('ANALYZE')"
    )
    site.start(workers=2)
    large = filter_latencies(site, args.seconds)
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
    site.stop()
    report.table(
        f"postgresql, list page 1 p50 at 10,000 and {args.scale:,} cats",
        ["filter", "p50 ms at 10k", f"p50 ms at {args.scale:,}", "ratio", "queries"],
        rows,
    )
    plans = []
    for name, query in FILTERS:
        output = site.manage("shell", "--no-imports", "-c", f"QUERY = {query!r}\n{EXPLAIN}")
        plans.append(f"#### {name}\n\n```\n{output.strip()}\n```\n")
    report.text(f"### EXPLAIN at {args.scale:,} cats\n\n" + "\n".join(plans))


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
        "--only",
        choices=["memory"],
        help="memory: only the worker memory figures (one SQLite worker), to bench/MEMORY.md",
    )
    args = parser.parse_args()
    report = Report()
    command = " ".join(["python3 dev.py bench", *sys.argv[1:]])
    report.text(f"# Benchmark results\n\n{machine()}\n\nCommand: `{command}`")
    results = MEMORY if args.only == "memory" else RESULTS
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
        for database in args.databases.split(",") if not args.only else []:
            print(f"{database}:", flush=True)
            (workdir / database).mkdir()
            site = Site(workdir / database, database)
            site.seed(args.cats)
            for workers in (1, 2):
                site.start(workers)
                try:
                    endpoints(site, report, database, workers, args)
                    if workers == 1:
                        memory(site, report, args)
                finally:
                    site.stop()
        if args.scale and "postgresql" in args.databases and not args.only:
            scale(report, workdir, args)
    results.write_text("\n".join(report.sections))
    print(f"\nWritten to {results.relative_to(ROOT)}.")


if __name__ == "__main__":
    main()
