"""``manage.py catgram_schema``: the API's OpenAPI document as YAML."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from django.core.management.base import BaseCommand, CommandError, CommandParser
from ninja.responses import NinjaJSONEncoder

from django_catgram.api import api


def openapi_yaml() -> str:
    """The OpenAPI document of the mounted API, as YAML in the document's own key order."""
    document = json.loads(json.dumps(api.get_openapi_schema(), cls=NinjaJSONEncoder))
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)


class Command(BaseCommand):
    help = "Write the API's OpenAPI document as YAML, to standard output or --output."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", "-o", type=Path, help="file to write (e.g. schema.yaml)")
        parser.add_argument(
            "--check",
            action="store_true",
            help="write nothing; fail when --output differs from what the code generates",
        )

    def handle(self, *args: Any, output: Path | None, check: bool, **options: Any) -> None:
        document = openapi_yaml()
        if check:
            if output is None:
                raise CommandError("--check needs --output.")
            if not output.exists() or output.read_text(encoding="utf-8") != document:
                raise CommandError(
                    f"{output} is out of date: run "
                    f"`python example_project/manage.py catgram_schema --output {output}`."
                )
            self.stdout.write(f"{output} is up to date.")
        elif output is None:
            self.stdout.write(document, ending="")
        else:
            output.write_text(document, encoding="utf-8")
            self.stdout.write(f"Wrote {output}.")
