"""Tools to inject faults for real into the example project's server processes, and to read
what a fault left behind: the answers (every one recorded), the rows, the photo files.

No mocks: the faults are real (terminated database connections, a file-size limit, a folder
made unwritable even for root, a cache that refuses or never answers, clients that trickle their
headers), and the checks read PostgreSQL and the media folder directly.
"""

from __future__ import annotations

import base64
import io
import json
import os
import random
import resource
import secrets
import shlex
import shutil
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from PIL import Image

from django_catgram.images import thumbnail_path
from live_tests.server import ROOT, ExampleSite


@dataclass
class Answer:
    """One request and what came back: ``status`` is the HTTP status, or the name of the
    exception when no HTTP answer came at all (a reset connection, a timeout)."""

    method: str
    url: str
    status: int | str
    headers: dict[str, str]
    raw: bytes
    seconds: float
    started: float = 0.0  # time.time() when the request was sent
    body: Any = None
    is_json: bool = False

    @property
    def path(self) -> str:
        return urlsplit(self.url).path

    @property
    def ok(self) -> bool:
        return isinstance(self.status, int) and 200 <= self.status < 300

    @property
    def server_error(self) -> bool:
        return isinstance(self.status, int) and 500 <= self.status < 600

    def __str__(self) -> str:
        shown = self.body if self.is_json else self.raw[:300]
        return f"{self.method} {self.path} -> {self.status} in {self.seconds:.2f}s: {shown!r}"


Files = dict[str, tuple[str, str, bytes]]  # field -> (file name, content type, data)


def multipart(fields: dict[str, str], files: Files) -> tuple[str, bytes]:
    """A multipart/form-data body: its Content-Type and bytes."""
    boundary = "catgram-" + secrets.token_hex(12)
    parts = []
    for name, value in fields.items():
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
        parts.append(f"{head}{value}\r\n".encode())
    for name, (filename, content_type, data) in files.items():
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'
        )
        parts.append(head.encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return f"multipart/form-data; boundary={boundary}", b"".join(parts)


def send(
    url: str,
    method: str = "GET",
    body: Any = None,
    token: str | None = None,
    *,
    form: dict[str, str] | None = None,
    files: Files | None = None,
    timeout: float = 30,
) -> Answer:
    """One request (a JSON body, or a multipart form with ``form``/``files``), never raising:
    whatever happens is in the returned ``Answer``."""
    headers = {}
    data = None
    if form is not None or files is not None:
        headers["Content-Type"], data = multipart(form or {}, files or {})
    elif body is not None:
        headers["Content-Type"], data = "application/json", json.dumps(body).encode()
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    sent_at, started = time.time(), time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, answer_headers, raw = response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        status, answer_headers, raw = error.code, error.headers, error.read()
    except (OSError, urllib.error.URLError) as error:
        reason = getattr(error, "reason", error)
        name = type(reason).__name__ if isinstance(reason, BaseException) else type(error).__name__
        return Answer(method, url, name, {}, b"", time.monotonic() - started, sent_at)
    seconds = time.monotonic() - started
    answer = Answer(method, url, status, dict(answer_headers.items()), raw, seconds, sent_at)
    content_type = answer.headers.get("Content-Type", "")
    if content_type.split(";")[0].strip() == "application/json":
        try:
            answer.body = json.loads(raw) if raw else None
            answer.is_json = bool(raw) or status == 204
        except ValueError:
            pass
    elif status == 204 and not raw:
        answer.is_json = True  # nothing to be HTML
    return answer


@dataclass
class Journal:
    """Every answer of a test, to print and to check together."""

    answers: list[Answer] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def send(self, *args: Any, **kwargs: Any) -> Answer:
        answer = send(*args, **kwargs)
        with self.lock:
            self.answers.append(answer)
        return answer

    def statuses(self, answers: Iterable[Answer] | None = None) -> Counter:
        return Counter(answer.status for answer in (self.answers if answers is None else answers))

    def report(self, what: str, answers: Iterable[Answer] | None = None) -> Counter:
        answers = list(self.answers if answers is None else answers)
        statuses = self.statuses(answers)
        slowest = max((answer.seconds for answer in answers), default=0)
        print(
            f"{what}: {len(answers)} requests, statuses {dict(sorted(statuses.items(), key=str))},"
            f" slowest {slowest:.2f}s"
        )
        return statuses

    def check_all_json(self) -> None:
        """Every answer came, and is JSON (a 204 is empty): never an HTML page."""
        bad = [answer for answer in self.answers if not answer.is_json]
        assert not bad, "answers that are not JSON:\n" + "\n".join(map(str, bad[:10]))

    def check_within(self, seconds: float) -> None:
        slow = [answer for answer in self.answers if answer.seconds > seconds]
        assert not slow, f"answers slower than {seconds}s:\n" + "\n".join(map(str, slow[:10]))

    def check_server_errors(self) -> None:
        """A 5xx is ``{"detail": ...}``, and a 503 says when to retry."""
        for answer in self.answers:
            if answer.server_error:
                assert isinstance(answer.body, dict) and "detail" in answer.body, str(answer)
                if answer.status == 503:
                    assert answer.headers.get("Retry-After"), f"503 without Retry-After: {answer}"


# Photos -------------------------------------------------------------------------------------


def png(width: int, height: int, noisy: bool = True) -> bytes:
    """A real PNG; random pixels do not compress, so its size is about width * height * 3."""
    if noisy:
        image = Image.frombytes("RGB", (width, height), random.randbytes(width * height * 3))
    else:
        image = Image.new("RGB", (width, height), "orange")
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def data_url(raw: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(raw).decode()


def image_name(cat: dict[str, Any], key: str = "image_url") -> str | None:
    """The photo's name in the storage (``cats/images/...``) from a cat's ``image_url`` (or the
    thumbnail's, with ``key="thumbnail_url"``)."""
    url = cat.get(key)
    return urlsplit(url).path.removeprefix("/media/") if url else None


def with_thumbnails(photos: Iterable[str | None]) -> set[str]:
    """The names of these photos and of their thumbnails, which are stored beside them."""
    return {name for photo in photos if photo for name in (photo, thumbnail_path(photo))}


# What is stored -----------------------------------------------------------------------------


def cat_rows(site: ExampleSite) -> dict[int, tuple[str, str | None, str | None]]:
    """Every cat row of the site's database: id -> (name, image name, thumbnail name), the
    names None without a photo."""
    import psycopg

    with psycopg.connect(site.env["DATABASE_URL"]) as db:
        rows = db.execute("SELECT id, name, image, thumbnail FROM catgram_cat").fetchall()
    return {cat_id: (name, image or None, thumb or None) for cat_id, name, image, thumb in rows}


def row_files(rows: dict[int, tuple[str, str | None, str | None]]) -> set[str]:
    """The photo and thumbnail files the rows refer to."""
    return {name for _, *names in rows.values() for name in names if name}


def photo_folder(site: ExampleSite) -> Path:
    return site.media_root / "cats" / "images"


def stored_files(site: ExampleSite) -> dict[str, int]:
    """Every file under the photo folder (partial and temporary ones too): name -> size."""
    folder = photo_folder(site)
    if not folder.exists():
        return {}
    return {
        str(path.relative_to(site.media_root)): path.stat().st_size
        for path in folder.rglob("*")
        if not path.is_dir()
    }


def check_rows_and_files(site: ExampleSite, orphans_allowed: bool = False) -> set[str]:
    """No row points at a missing file; unless ``orphans_allowed``, no file is unreferenced.
    Returns the unreferenced files."""
    rows = cat_rows(site)
    files = stored_files(site)
    referenced = row_files(rows)
    missing = {
        cat_id: names
        for cat_id, (_, *names) in rows.items()
        if any(name and name not in files for name in names)
    }
    unreferenced = set(files) - referenced
    print(
        f"rows: {len(rows)} ({len(referenced)} photo and thumbnail files); files in the folder:"
        f" {len(files)}; rows whose file is missing: {len(missing)}; unreferenced files:"
        f" {len(unreferenced)}"
    )
    assert not missing, f"rows pointing at missing files: {missing}"
    if not orphans_allowed:
        assert not unreferenced, f"files no row references: {sorted(unreferenced)}"
    return unreferenced


# Server processes ---------------------------------------------------------------------------


@contextmanager
def unwritable(folder: Path) -> Iterator[str]:
    """``folder`` made unwritable for real, for the server processes too; yields how.

    Root ignores permission bits, so as root the folder is made immutable (``chattr +i``) or,
    on a file system without that flag, replaced by a read-only bind mount of itself. (Running
    the servers as ``nobody`` instead would need an interpreter ``nobody`` may run, which one
    installed under /root is not.)
    """
    if os.geteuid() != 0:
        folder.chmod(0o555)
        try:
            yield "mode 555"
        finally:
            folder.chmod(0o755)
        return
    chattr = shutil.which("chattr")
    if chattr and subprocess.run([chattr, "+i", folder], capture_output=True).returncode == 0:
        try:
            yield "chattr +i"
        finally:
            subprocess.run([chattr, "-i", folder], check=True)
        return
    subprocess.run(["mount", "--bind", folder, folder], check=True)
    try:
        subprocess.run(["mount", "-o", "remount,ro,bind", folder], check=True)
        yield "a read-only bind mount"
    finally:
        subprocess.run(["umount", folder], check=True)


def check_unwritable(folder: Path) -> None:
    """Even this process (root, maybe) cannot create a file in ``folder``."""
    probe = folder / f"probe-{secrets.token_hex(4)}"
    try:
        probe.touch()
    except OSError:
        pass
    else:
        probe.unlink()
        raise AssertionError(f"{folder} is still writable")


def file_size_limit(limit: int) -> Callable[[], None]:
    """A preexec_fn: no file the process writes may grow past ``limit`` bytes (Python ignores
    SIGXFSZ, so a write past it fails with EFBIG, an OSError)."""

    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def readme_gunicorn_args() -> list[str]:
    """The arguments of the README's ``gunicorn`` serving command (Deployment section), without
    any ``--bind`` (the tests bind a free port)."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("\n## Deployment", 1)[1].split("\n## ", 1)[0]
    commands = [line for line in section.splitlines() if line.strip().startswith("gunicorn ")]
    assert commands, "no gunicorn command in the README's Deployment section"
    words = shlex.split(commands[0])[1:]
    args = []
    skip = False
    for word in words:
        if skip:
            skip = False
        elif word in ("--bind", "-b"):
            skip = True
        elif not word.startswith(("--bind=", "-b")):
            args.append(word)
    return args


# Faults -------------------------------------------------------------------------------------


class BackendTerminator(threading.Thread):
    """Terminates every other connection to the site's database, again and again."""

    def __init__(self, site: ExampleSite, interval: tuple[float, float] = (0.02, 0.05)) -> None:
        super().__init__(daemon=True)
        self.url = site.env["DATABASE_URL"]
        self.database = urlsplit(self.url).path.lstrip("/")
        self.interval = interval
        self.stopping = threading.Event()
        self.rounds = 0
        self.terminated = 0

    def run(self) -> None:
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as db:
            while not self.stopping.is_set():
                rows = db.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = %s AND pid <> pg_backend_pid()",
                    [self.database],
                ).fetchall()
                self.rounds += 1
                self.terminated += sum(1 for (done,) in rows if done)
                time.sleep(random.uniform(*self.interval))

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=10)


class SilentListener(threading.Thread):
    """A TCP server that accepts connections and never answers (nor closes them)."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(64)
        self.socket.settimeout(0.2)
        self.port = self.socket.getsockname()[1]
        self.accepted: list[socket.socket] = []
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                connection, _ = self.socket.accept()
            except TimeoutError:
                continue
            self.accepted.append(connection)

    def stop(self) -> None:
        self.stopping.set()
        if self.is_alive():
            self.join(timeout=5)
        for connection in self.accepted:
            connection.close()
        self.socket.close()


class Trickler(threading.Thread):
    """A slow client: sends a request's headers one byte at a time, and never finishes them."""

    def __init__(self, url: str, interval: float = 0.2) -> None:
        super().__init__(daemon=True)
        parts = urlsplit(url)
        self.address = (parts.hostname, parts.port)
        self.interval = interval
        self.stopping = threading.Event()
        self.sent = 0
        self.closed_by_server = False

    def run(self) -> None:
        head = f"GET /api/openapi.json HTTP/1.1\r\nHost: {self.address[0]}\r\nX-Slow: ".encode()
        with socket.create_connection(self.address, timeout=5) as connection:
            while not self.stopping.is_set():
                byte = head[self.sent : self.sent + 1] or b"z"
                try:
                    connection.sendall(byte)
                except OSError:
                    self.closed_by_server = True
                    return
                self.sent += 1
                self.stopping.wait(self.interval)

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=5)
