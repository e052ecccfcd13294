#!/usr/bin/env python3
"""Set up and run django-catgram with nothing but Python 3.10+ (standard library only).

    python3 dev.py demo   virtualenv, install, migrate, demo data, then the demo server
    python3 dev.py test   virtualenv with tox, then every tox environment (the whole suite)
    python3 dev.py bench  the benchmark (bench/run.py), written to bench/RESULTS.md

Everything goes into .venv/ in this folder; running a command again reuses it and installs
again only when pyproject.toml or example_project/requirements.txt changed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
MANAGE = ROOT / "example_project" / "manage.py"
PYTHONS = ("3.10", "3.11", "3.12", "3.13")
DEMO_USER, DEMO_PASSWORD = "user0", "catgram-demo"


# This script runs on whatever python3 the user has, so it says what it needs.
if sys.version_info < (3, 10):  # noqa: UP036
    sys.exit("django-catgram needs Python 3.10 or newer.")


def venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def run(*command: str | Path, **kwargs) -> None:
    print("+", " ".join(str(part) for part in command), flush=True)
    subprocess.run([str(part) for part in command], check=True, cwd=ROOT, **kwargs)


def ensure_venv(name: str, *requirements: str) -> Path:
    """Create .venv if needed and install ``requirements`` unless their sources are unchanged."""
    if not venv_python().exists():
        print(f"Creating {VENV} ...", flush=True)
        venv.create(VENV, with_pip=True)
    stamp = VENV / f".installed-{name}"
    sources = [ROOT / "pyproject.toml", ROOT / "example_project" / "requirements.txt"]
    newest = max(source.stat().st_mtime for source in sources)
    if not stamp.exists() or stamp.stat().st_mtime < newest:
        pip = [venv_python(), "-m", "pip", "--disable-pip-version-check", "--quiet"]
        run(*pip, "install", "--upgrade", "pip")
        run(*pip, "install", *requirements)
        stamp.touch()
    return venv_python()


def demo(port: str) -> None:
    """Install the app and the example project, seed demo data, serve on 127.0.0.1."""
    python = ensure_venv(
        "demo", "--editable", ".", "--requirement", "example_project/requirements.txt"
    )
    run(python, MANAGE, "migrate", "--noinput", "--verbosity", "1")
    run(python, MANAGE, "createcachetable")
    run(python, MANAGE, "catgram_seed", "--admin", "--if-empty", "--password", DEMO_PASSWORD)
    print(
        f"\nDemo login: {DEMO_USER} / {DEMO_PASSWORD} (also for the admin)\n"
        f"  API docs: http://127.0.0.1:{port}/api/docs\n"
        f"  admin:    http://127.0.0.1:{port}/admin/\n"
        f"  the cats: POST /api/auth/token with that login, then GET /api/cats/ with the header\n"
        f"            Authorization: Bearer <token> (the docs page's Authorize button does it)\n",
        flush=True,
    )
    os.chdir(ROOT)
    os.execv(python, [str(python), str(MANAGE), "runserver", f"127.0.0.1:{port}"])


def bench(bench_args: list[str]) -> int:
    """Install what the demo needs, then run the benchmark with its options."""
    python = ensure_venv(
        "demo", "--editable", ".", "--requirement", "example_project/requirements.txt"
    )
    return subprocess.run([python, "-m", "bench.run", *bench_args], cwd=ROOT).returncode


def find_interpreter(version: str) -> str | None:
    """A working ``pythonX.Y``: on PATH, or installed by pyenv but not selected."""
    candidates = [shutil.which(f"python{version}")]
    pyenv_versions = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    pattern = f"{version}.*/bin/python{version}"
    candidates += sorted(map(str, pyenv_versions.glob(pattern)), reverse=True)
    for candidate in filter(None, candidates):
        probe = subprocess.run([candidate, "-c", "pass"], capture_output=True)
        if probe.returncode == 0:
            return candidate
    return None


def postgres_is_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 5432), timeout=2).close()
    except OSError:
        return False
    return True


def test(tox_args: list[str]) -> int:
    """Run the tox matrix; in CI (CI set) a missing interpreter or database is a failure."""
    python = ensure_venv("tox", "tox>=4.22,<5")
    in_ci = bool(os.environ.get("CI"))
    env = dict(os.environ)
    found = {}
    for version in PYTHONS:
        interpreter = find_interpreter(version)
        if interpreter:
            found[version] = interpreter
            env["PATH"] = str(Path(interpreter).parent) + os.pathsep + env["PATH"]
        else:
            print(f"Python {version} not found: its tox environments are skipped.", flush=True)
    missing = [version for version in PYTHONS if version not in found]
    if in_ci and missing:
        print(f"CI needs every Python: missing {', '.join(missing)}.", file=sys.stderr)
        return 1
    command = [python, "-m", "tox", "run-parallel", "--parallel", "auto", "--parallel-no-spinner"]
    if in_ci:
        command += ["--skip-missing-interpreters", "false"]
    if not tox_args and not postgres_is_up():
        if in_ci:
            print("PostgreSQL is not listening on 127.0.0.1:5432.", file=sys.stderr)
            return 1
        print(
            "No PostgreSQL on 127.0.0.1:5432: its envs (postgres, faults, fuzz, deploy) are"
            " skipped.",
            flush=True,
        )
        command += ["--skip-env", "postgres|faults|fuzz|deploy"]
    command += tox_args
    print("+", " ".join(str(part) for part in command), flush=True)
    return subprocess.run([str(part) for part in command], cwd=ROOT, env=env).returncode


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("demo", help="set up and start the demo server (PORT, default 8000)")
    commands.add_parser(
        "test", help="set up and run the whole test suite; further options go to tox"
    )
    commands.add_parser("bench", help="set up and run the benchmark; options go to bench/run.py")
    args, tox_args = parser.parse_known_args()  # the rest goes to tox or the benchmark
    if args.command == "demo":
        if tox_args:
            parser.error(f"unrecognized arguments: {' '.join(tox_args)}")
        demo(os.environ.get("PORT", "8000"))
        return 0
    if args.command == "bench":
        return bench(tox_args)
    return test(tox_args)


if __name__ == "__main__":
    sys.exit(main())
