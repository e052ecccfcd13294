"""The installed distribution: what the wheel carries and what its metadata claims."""

import configparser
import re
from importlib.metadata import distribution
from importlib.resources import files
from itertools import product
from pathlib import Path

import django_catgram

ROOT = Path(__file__).resolve().parent.parent


def test_the_tests_run_against_the_installed_package_not_the_source_tree():
    assert "site-packages" in Path(django_catgram.__file__).parts


def test_the_package_carries_its_migrations_and_type_marker():
    package = files("django_catgram")
    assert package.joinpath("migrations", "0001_initial.py").is_file()
    assert package.joinpath("py.typed").is_file()


def test_the_distribution_ships_no_tests():
    shipped = [str(path) for path in distribution("django-catgram").files]
    assert not [path for path in shipped if path.startswith("tests/")]


def expand(spec):
    """Expand tox's factor braces: ``py3-django{52,60}`` gives py3-django52 and py3-django60."""
    parts = re.split(r"\{([^}]*)\}", spec)
    choices = [part.split(",") if index % 2 else [part] for index, part in enumerate(parts)]
    return ["".join(choice) for choice in product(*choices)]


def tox_envs():
    ini = configparser.ConfigParser()
    ini.read(ROOT / "tox.ini")
    return [env for line in ini["tox"]["env_list"].split() for env in expand(line)]


def test_classifiers_name_exactly_the_python_and_django_versions_tox_tests():
    classifiers = distribution("django-catgram").metadata.get_all("Classifier")
    pythons = {m.group(1) for c in classifiers if (m := re.fullmatch(r".*Python :: (3\.\d+)", c))}
    djangos = {m.group(1) for c in classifiers if (m := re.fullmatch(r".*Django :: (\d\.\d)", c))}
    envs = tox_envs()
    tested_pythons = {f"3.{m.group(1)}" for e in envs if (m := re.match(r"py3(\d+)-", e))}
    tested_djangos = {f"{m[1]}.{m[2]}" for e in envs if (m := re.search(r"django(\d)(\d)", e))}
    assert pythons == tested_pythons
    assert djangos == tested_djangos


def test_the_metadata_links_the_documentation_changelog_issues_and_source():
    links = dict(
        link.split(", ", 1)
        for link in distribution("django-catgram").metadata.get_all("Project-URL")
    )
    repository = "https://github.com/django-catgram/django-catgram"
    assert links == {
        "Changelog": f"{repository}/blob/main/CHANGELOG.md",
        "Documentation": f"{repository}#readme",
        "Issues": f"{repository}/issues",
        "Source": repository,
    }
