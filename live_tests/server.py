"""The example project as real server processes, for tests that cross process boundaries."""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
MANAGE = ROOT / "example_project" / "manage.py"
DEMO_PASSWORD = "catgram-demo"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fresh_database_url(workdir: Path, name: str, server_url: str | None = None) -> str:
    """A new, empty database on the PostgreSQL server of ``server_url`` (by default
    DATABASE_URL), or a SQLite file when there is none."""
    url = server_url or os.environ.get("DATABASE_URL")
    if not url:
        return f"sqlite:///{workdir / 'live.sqlite3'}"
    import psycopg

    parts = urlsplit(url)
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        db.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}"))


class ExampleSite:
    """A migrated, seeded example project and the server processes serving it."""

    def __init__(
        self, workdir: Path, name: str, server_url: str | None = None, **extra_env: str
    ) -> None:
        """A fresh database ``name`` (see ``fresh_database_url``); ``extra_env`` overrides the
        production-like environment of the example project (DJANGO_SETTINGS_MODULE too)."""
        self.workdir = workdir
        self.media_root = workdir / "media"
        self.env = {
            **{key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"},
            "DATABASE_URL": fresh_database_url(workdir, name, server_url),
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DJANGO_MEDIA_ROOT": str(self.media_root),
            **extra_env,
        }
        self.processes: list[tuple[subprocess.Popen, Any]] = []
        self.urls: list[str] = []
        self.log_paths: list[Path] = []

    def manage(self, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, str(MANAGE), *args],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    def prepare(self, *seed_args: str) -> None:
        self.manage("migrate", "--noinput")
        self.manage("createcachetable")
        self.manage("catgram_seed", "--admin", *seed_args)

    def start(
        self,
        processes: int = 2,
        threads: int = 8,
        runserver: bool = False,
        workers: int = 1,
        worker_class: str = "gthread",
        gunicorn_args: list[str] | None = None,
        env: dict[str, str] | None = None,
        preexec_fn: Callable[[], None] | None = None,
    ) -> list[str]:
        """Start ``processes`` gunicorn servers, each on its own port; return their base URLs.

        Each has ``workers`` workers of ``worker_class`` (``sync`` wants ``threads=1``).
        ``runserver=True`` starts ``manage.py runserver --noreload`` instead, which also serves
        the static files (docs page, admin) when the site runs with ``DJANGO_DEBUG=1``.
        ``gunicorn_args`` replaces the arguments after ``gunicorn`` (a deployment's command
        line; the port is bound on top). ``env`` adds to the site's environment for these
        processes only, and ``preexec_fn`` runs in each child before it starts (a resource
        limit, another user). A second call starts more processes beside the first ones; each
        call returns the URLs of the processes it started.
        """
        started = []
        for _ in range(processes):
            port = free_port()
            log_path = self.workdir / f"server-{len(self.log_paths)}.log"
            log = log_path.open("w")
            command = [
                sys.executable, "-m", "gunicorn", "--chdir", "example_project",
                "example_project.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
                "--threads", str(threads), "--worker-class", worker_class, "--timeout", "60",
                # Servers of parallel tox envs must not share gunicorn's control socket.
                "--no-control-socket",
            ]  # fmt: skip
            if gunicorn_args is not None:
                command = [
                    *(sys.executable, "-m", "gunicorn", *gunicorn_args),
                    *("--bind", f"127.0.0.1:{port}", "--no-control-socket"),
                ]
            if runserver:
                command = [
                    sys.executable,
                    str(MANAGE),
                    "runserver",
                    "--noreload",
                    f"127.0.0.1:{port}",
                ]
            try:
                process = subprocess.Popen(
                    command,
                    env={**self.env, **(env or {})},
                    cwd=ROOT,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    preexec_fn=preexec_fn,
                )
            except BaseException:
                log.close()
                raise
            self.processes.append((process, log))
            self.log_paths.append(log_path)
            started.append(f"http://127.0.0.1:{port}")
        self.urls += started
        for url in started:
            wait_until_up(f"{url}/api/openapi.json")
        return started

    def logs(self) -> str:
        """What every server process started so far wrote."""
        return "\n".join(path.read_text(errors="replace") for path in self.log_paths)

    def stop(self) -> None:
        for process, log in self.processes:
            process.terminate()
            process.wait(timeout=30)
            log.close()
        self.processes, self.urls = [], []


def wait_until_up(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except (urllib.error.URLError, ConnectionError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def call(
    url: str,
    method: str = "GET",
    body: Any = None,
    token: str | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, Any]:
    """One JSON request; the status and the decoded body (None when empty)."""
    headers = {"Content-Type": "application/json", **(headers or {})}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    return status, json.loads(raw) if raw else None


def log_in(url: str, username: str, password: str = DEMO_PASSWORD) -> str:
    status, body = call(
        f"{url}/api/auth/token", "POST", {"username": username, "password": password}
    )
    assert status == 200, body
    return body["token"]
