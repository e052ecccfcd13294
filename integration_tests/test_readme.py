"""The README's "Use in your Django site" is what the integration host does, and is complete."""

import re
from datetime import timedelta
from importlib.metadata import version

from django_catgram.conf import DEFAULTS
from integration_tests.host import ROOT, TEMPLATE

README = (ROOT / "README.md").read_text()


def section(title: str) -> str:
    """A ``## `` section of the README, its ``### `` subsections included."""
    start = README.index(f"\n## {title}\n")
    end = README.find("\n## ", start + 1)
    return README[start : end if end != -1 else None]


def python_lines(text: str) -> list[str]:
    """The code lines of the ``python`` blocks, without comment-only lines and ``...``."""
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)
    lines = [line.strip() for block in blocks for line in block.splitlines()]
    return [line for line in lines if line and not line.startswith("#") and line != "...,"]


def test_the_readme_shows_only_lines_the_integration_host_has():
    host_lines = {
        line.strip() for path in TEMPLATE.rglob("*.py") for line in path.read_text().splitlines()
    }
    shown = python_lines(section("Use in your Django site"))
    assert len(shown) > 20
    assert [line for line in shown if line not in host_lines] == []


def test_the_settings_table_lists_every_setting_with_its_default():
    rows = re.findall(r"^\| `([A-Z_]+)` \| `([^`]+)`", section("Use in your Django site"), re.M)
    table = dict(rows)
    assert len(table) == len(rows)
    assert sorted(table) == sorted(DEFAULTS)
    for name, shown in table.items():
        assert eval(shown, {"timedelta": timedelta}) == DEFAULTS[name], name


def test_the_changelog_has_an_unreleased_entry_for_the_packaged_version():
    changelog = (ROOT / "CHANGELOG.md").read_text()
    assert f"## [{version('django-catgram')}] - Unreleased" in changelog
