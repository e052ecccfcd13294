"""A foreign Django site with django-catgram pip-installed from its wheel, served for real.

Nothing here imports django_catgram: the host runs in a virtualenv of its own, made from the
wheel that ``python -m build`` makes of this repository, as a site installing it from PyPI would.
"""

from __future__ import annotations

import base64
import io
import json
import os
import quopri
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import venv
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = Path(__file__).resolve().parent / "host_template"
# Which urls.py each variant of the host uses.
VARIANTS = {"include": "urls_include.py", "own_api": "urls_own_api.py"}


def run(command: list[str | Path], **kwargs: Any) -> str:
    """Run ``command``; its output, or a failure showing it."""
    result = subprocess.run(
        [str(part) for part in command], capture_output=True, text=True, timeout=600, **kwargs
    )
    assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
    return result.stdout


def build_wheel(outdir: Path) -> Path:
    run([sys.executable, "-m", "build", "--wheel", "--outdir", outdir, ROOT], cwd=ROOT)
    (wheel,) = outdir.glob("django_catgram-*.whl")
    return wheel


def make_virtualenv(folder: Path, wheel: Path) -> Path:
    """A fresh virtualenv with the wheel and a WSGI server installed; its python."""
    venv.create(folder, with_pip=True)
    python = folder / "bin" / "python"
    run([python, "-m", "pip", "install", "--quiet", wheel, "gunicorn>=23"], env=clean_env())
    return python


def clean_env(**extra: str) -> dict[str, str]:
    """This environment without what points at the test runner's own Django or virtualenv."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_SETTINGS_MODULE", "PYTHONPATH", "VIRTUAL_ENV", "DATABASE_URL"}
    }
    return {**env, **extra}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class HostSite:
    """The host project in ``folder``, run with the virtualenv's ``python``."""

    def __init__(self, folder: Path, python: Path, variant: str) -> None:
        self.folder = folder
        self.python = python
        self.variant = variant
        self.env = clean_env(
            HOST_SECRET_KEY=secrets.token_urlsafe(50),
            # As tox runs our own tests: a deprecation in the host's run is a failure.
            PYTHONWARNINGS="error::DeprecationWarning",
        )
        self.process: subprocess.Popen | None = None
        self.log_path = folder / "server.log"
        self.url = ""
        self.migrate_output = ""

    def prepare(self) -> None:
        """Write the project, make the user model's first migration, then migrate everything."""
        self.write()
        self.manage("makemigrations", "accounts")
        self.migrate_output = self.manage("migrate", "--noinput")

    def write(self) -> None:
        """Copy the template and pick the variant's urls.py."""
        shutil.copytree(TEMPLATE, self.folder, ignore=shutil.ignore_patterns("__pycache__"))
        site = self.folder / "mysite"
        (site / VARIANTS[self.variant]).rename(site / "urls.py")
        for other in VARIANTS.values():
            (site / other).unlink(missing_ok=True)

    def manage(self, *args: str) -> str:
        return run([self.python, "manage.py", *args], cwd=self.folder, env=self.env)

    def start(self) -> str:
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        log = self.log_path.open("w")
        command = [
            str(self.python), "-m", "gunicorn", "mysite.wsgi", "--bind", f"127.0.0.1:{port}",
            "--workers", "1", "--threads", "4", "--worker-class", "gthread", "--timeout", "60",
            "--no-control-socket",  # gunicorn 27's socket in ~/.gunicorn would be shared
        ]  # fmt: skip
        self.process = subprocess.Popen(
            command, cwd=self.folder, env=self.env, stdout=log, stderr=subprocess.STDOUT
        )
        log.close()
        deadline = time.monotonic() + 60
        while True:
            status, _ = self.call("/v2/openapi.json")
            if status == 200:
                return self.url
            assert self.process.poll() is None, self.logs()
            assert time.monotonic() < deadline, self.logs()
            time.sleep(0.2)

    def logs(self) -> str:
        return self.log_path.read_text()

    def mails(self) -> str:
        """The server's log with the console mail backend's quoted-printable bodies decoded."""
        return quopri.decodestring(self.log_path.read_bytes()).decode()

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=30)

    def call(
        self, path: str, method: str = "GET", body: Any = None, token: str | None = None
    ) -> tuple[int, Any]:
        """One JSON request to the host; the status and the decoded body (None when empty)."""
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        except (urllib.error.URLError, ConnectionError):
            return 0, None
        if raw.startswith((b"{", b"[")):
            return status, json.loads(raw)
        return status, raw.decode() or None  # not JSON: the text, for the failure message


def png_bytes() -> bytes:
    """A small real PNG, made with Pillow."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), (200, 120, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


def data_url(content: bytes, kind: str = "png") -> str:
    return f"data:image/{kind};base64,{base64.b64encode(content).decode()}"
