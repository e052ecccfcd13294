"""The sdist as a newcomer meets it: built, checked, installed, and its own tests run from it.

    python -m integration_tests.sdist [pytest options]

``tox -e sdist`` runs this from the repository's root. ``python -m build`` makes the sdist and,
from it, the wheel; ``twine check --strict`` checks both as PyPI would; the sdist must hold every
file git tracks and nothing local (databases, photos, bytecode). Then the sdist is pip-installed
into a new virtualenv (its wheel built by pip, not ours) and the unit tests (``tests/``, on
SQLite) and the README's checks run from the unpacked sdist against the installed package: the
unpacked tree has its ``src/``, but nothing puts that on ``sys.path`` (``src`` layout), so
``import django_catgram`` finds site-packages, as tests/test_packaging.py checks. Python 3.11+.
"""

from __future__ import annotations

import fnmatch
import subprocess
import sys
import tarfile
import tempfile
import venv
from pathlib import Path

import tomllib

from integration_tests.host import ROOT, clean_env, run

# Local files in folders the sdist grafts, which it must not carry (MANIFEST.in leaves them out).
LOCAL = ["*/__pycache__/*", "*.py[cod]", "*.sqlite3*", "*.env", "example_project/media/*",
         "example_project/staticfiles/*", "*/.hypothesis/*"]  # fmt: skip
TESTS = ["tests", "integration_tests/test_readme.py"]


def build(outdir: Path) -> tuple[Path, Path]:
    """The sdist and the wheel built from it, checked by twine."""
    run([sys.executable, "-m", "build", "--outdir", outdir, ROOT], cwd=ROOT)
    (sdist,) = outdir.glob("django_catgram-*.tar.gz")
    (wheel,) = outdir.glob("django_catgram-*.whl")
    run([sys.executable, "-m", "twine", "check", "--strict", sdist, wheel])
    return sdist, wheel


def tracked_files() -> set[str]:
    """The files git tracks that exist in the work tree; none outside a git clone."""
    try:
        listing = run(["git", "ls-files", "-z"], cwd=ROOT)
    except (OSError, AssertionError):
        return set()
    return {path for path in listing.split("\0") if path and (ROOT / path).is_file()}


def contents_problems(sdist: Path) -> list[str]:
    """What is wrong with the sdist's file list: tracked files missing, local files present."""
    with tarfile.open(sdist) as archive:
        names = {member.name.split("/", 1)[1] for member in archive if member.isfile()}
    missing = [f"missing: {path}" for path in sorted(tracked_files() - names)]
    local = [f"local file: {n}" for n in sorted(names) if any(fnmatch.fnmatch(n, p) for p in LOCAL)]
    return missing + local


def install(sdist: Path, source: Path, folder: Path) -> Path:
    """A new virtualenv with the sdist and what the tests need installed; its python."""
    venv.create(folder, with_pip=True)
    python = folder / "bin" / "python"
    # The pip that venv brings may predate ``pip install --group``: read the group here.
    test_group = tomllib.loads((source / "pyproject.toml").read_text())["dependency-groups"]["test"]
    requirements = source / "example_project" / "requirements.txt"
    pip = [python, "-m", "pip", "install", "--quiet", sdist, "-r", requirements, *test_group]
    run(pip, env=clean_env())
    return python


def main(pytest_args: list[str]) -> int:
    with tempfile.TemporaryDirectory(prefix="catgram-sdist-") as tmp:
        workdir = Path(tmp)
        sdist, wheel = build(workdir / "dist")
        print(f"built and twine-checked: {sdist.name}, {wheel.name}", flush=True)
        if problems := contents_problems(sdist):
            print(f"{sdist.name}: fix MANIFEST.in", *problems, sep="\n  ", file=sys.stderr)
            return 1
        with tarfile.open(sdist) as archive:
            archive.extractall(workdir, filter="data")
        source = workdir / sdist.name.removesuffix(".tar.gz")
        print(f"installing {sdist.name} into a new virtualenv", flush=True)
        python = install(sdist, source, workdir / "venv")
        command = [python, "-W", "error::DeprecationWarning", "-m", "pytest", *TESTS, *pytest_args]
        print("+", " ".join(map(str, command)), f"(in {source})", flush=True)
        return subprocess.run(command, cwd=source, env=clean_env()).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
