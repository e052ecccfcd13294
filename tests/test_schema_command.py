"""``manage.py catgram_schema``, run in-process: the OpenAPI document as YAML, and its check."""

from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command

SCHEMA = Path(__file__).resolve().parent.parent / "schema.yaml"


def schema(*args):
    out = StringIO()
    call_command("catgram_schema", *args, stdout=out)
    return out.getvalue()


def test_the_document_goes_to_standard_output_as_the_committed_schema_yaml():
    document = schema()

    assert document == SCHEMA.read_text(encoding="utf-8")
    assert yaml.safe_load(document)["info"]["title"] == "Catgram API"


def test_output_writes_the_file_and_check_finds_it_up_to_date(tmp_path):
    output = tmp_path / "schema.yaml"

    assert schema("--output", str(output)) == f"Wrote {output}.\n"
    assert output.read_text(encoding="utf-8") == SCHEMA.read_text(encoding="utf-8")
    assert schema("--output", str(output), "--check") == f"{output} is up to date.\n"


@pytest.mark.parametrize("content", [None, "openapi: 3.1.0\n"], ids=["missing", "stale"])
def test_check_fails_for_a_missing_or_stale_file_and_writes_nothing(tmp_path, content):
    output = tmp_path / "schema.yaml"
    if content is not None:
        output.write_text(content, encoding="utf-8")

    with pytest.raises(CommandError, match="is out of date"):
        schema("--output", str(output), "--check")

    assert (output.read_text(encoding="utf-8") if output.exists() else None) == content


def test_check_needs_an_output_file():
    with pytest.raises(CommandError, match="--check needs --output"):
        schema("--check")
