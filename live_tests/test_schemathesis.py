"""Schemathesis against the example project's own openapi.json, served by real server processes.

Every operation of the document, in the examples, coverage, fuzzing and stateful phases, as user0
(the seeded superuser) with a real Bearer token; 100 generated cases (positive and negative) per
operation in the fuzzing phase, besides the coverage phase's. An operation with few possible
inputs (none, or only an id) has fewer distinct ones: the test prints the count of each. Checks:
no 5xx, only documented status codes, the declared content type, and bodies that match their
declared schemas. ``tox -e fuzz`` runs this file alone.

CATGRAM_FUZZ_SEED picks the seed (``random`` for a new one each run); the default is fixed so
that a failure reproduces. Schemathesis prints the seed it used.
"""

import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from live_tests.server import call, log_in

CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
)
PHASES = ("examples", "coverage", "fuzzing", "stateful")
MAX_EXAMPLES = 100
WORKERS = 4
DEFAULT_SEED = "20261129"


@pytest.fixture(scope="module", autouse=True)
def no_request_line_limit():
    """Gunicorn answers a request line over 4094 bytes itself, with an HTML 414.

    Generated query strings grow past that: lifting gunicorn's limit lets them reach the API,
    which is what the run tests. Set before the ``site`` fixture starts the servers.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GUNICORN_CMD_ARGS", "--limit-request-line 0")
        yield


def schemathesis_cli():
    """The ``schemathesis`` command installed beside this Python (the tox env's)."""
    found = shutil.which("schemathesis", path=Path(sys.executable).parent)
    assert found, "schemathesis is not installed: run `tox -e fuzz`"
    return found


def config(user0_token, user1_token):
    """Every request as user0, except the logout, which gets user1's token.

    ``POST token/logout/`` revokes the token it is sent with: with user0's, every request after
    the first logout would be a 401. With its own token the first logout answers 204 and later
    ones 401 (documented), and the rest of the run keeps working.
    """
    return (
        f'headers = {{ Authorization = "Bearer {user0_token}" }}\n'
        "\n[[operations]]\n"
        'include-operation-id = "token_logout"\n'
        f'headers = {{ Authorization = "Bearer {user1_token}" }}\n'
    )


def cases_per_operation(events_file):
    """``{"GET /api/cats/": {"coverage": 35, "fuzzing": 100}, ...}`` from the NDJSON report.

    Each distinct request sent counts once: a generated case equal to an earlier one of the same
    operation is answered from schemathesis' cache and not recorded again.
    """
    counts = defaultdict(Counter)
    for line in events_file.read_text().splitlines():
        scenario = json.loads(line).get("ScenarioFinished")
        if scenario:
            recorder = scenario["recorder"]
            counts[recorder["label"]][scenario["phase"]] += len(recorder.get("cases", {}))
    return counts


def test_schemathesis_finds_nothing(site):
    url = site.urls[0]
    status, document = call(f"{url}/api/openapi.json")
    assert status == 200
    operations = {
        f"{method.upper()} {path}"
        for path, item in document["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    }
    config_file = site.workdir / "schemathesis.toml"
    config_file.write_text(config(log_in(url, "user0"), log_in(url, "user1")))
    events_file = site.workdir / "schemathesis-events.ndjson"
    seed = os.environ.get("CATGRAM_FUZZ_SEED", DEFAULT_SEED)
    command = [
        schemathesis_cli(), "--config-file", str(config_file), "run", f"{url}/api/openapi.json",
        "--checks", ",".join(CHECKS), "--phases", ",".join(PHASES),
        "--max-examples", str(MAX_EXAMPLES), "--workers", str(WORKERS),
        "--request-timeout", "60", "--no-color",
        "--report", "ndjson", "--report-ndjson-path", str(events_file),
        *([] if seed == "random" else ["--seed", seed]),
    ]  # fmt: skip
    # In the site's folder, so that schemathesis' and hypothesis' caches stay out of the repo.
    result = subprocess.run(
        command, cwd=site.workdir, capture_output=True, text=True, timeout=1200, check=False
    )
    print(result.stdout, result.stderr, sep="\n")
    if result.returncode != 0:
        print("--- the server's logs ---", site.logs(), sep="\n")
    assert result.returncode == 0, "schemathesis found failures: see its report above"
    counts = cases_per_operation(events_file)
    print("Distinct requests per operation (coverage + fuzzing phases):")
    for label in sorted(operations, key=lambda label: label.split(" ")[::-1]):
        print(f"  {sum(counts[label].values()):4}  {label}")
    print(f"  {sum(counts['Stateful tests'].values()):4}  in the stateful phase")
    n = len(operations)
    assert re.search(rf"Selected: {n}/{n}\s+Tested: {n}\b", result.stdout)
    for label in operations:
        assert counts[label]["coverage"] and counts[label]["fuzzing"], label
    generated = re.search(r"(\d+) generated, (\d+) passed", result.stdout)
    assert generated, "no test cases reported"
    assert generated[1] == generated[2]
