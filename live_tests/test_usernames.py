"""One name in several cases registered at the same moment, through two server processes on
one database (SQLite and PostgreSQL): one account, whatever the timing.

Bounded: a fixed number of requests from a fixed number of threads, on loopback only.
"""

import os
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from live_tests.server import DEMO_PASSWORD, ExampleSite, call, log_in

TAKEN = "A user with that username already exists."
ROUNDS = 4
# One name in five cases and widths; {word} and {n} make each round's name new.
VARIANTS = [
    "{word}{n}",
    "{word_lower}{n}",
    "{word_upper}{n}",
    "{word_swapped}{n}",
    "{word_wide}{n}",
]


def variants(word, n):
    """``word`` + ``n`` in each of VARIANTS' spellings."""
    wide = "".join(chr(ord(letter) + 0xFEE0) for letter in word)  # ｆｕｌｌ width
    spellings = {
        "word": word,
        "word_lower": word.lower(),
        "word_upper": word.upper(),
        "word_swapped": word.swapcase(),
        "word_wide": wide,
    }
    return [variant.format(n=n, **spellings) for variant in VARIANTS]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def site(tmp_path_factory, request):
    if request.param == "postgresql" and not os.environ.get("DATABASE_URL"):
        pytest.skip("PostgreSQL: set DATABASE_URL")
    workdir = tmp_path_factory.mktemp(request.param)
    env_name = os.environ.get("TOX_ENV_NAME", "local").replace("-", "_")
    extra = {"DATABASE_URL": f"sqlite:///{workdir / 'live.sqlite3'}"}
    example = ExampleSite(
        workdir,
        f"catgram_live_{env_name}_usernames",
        **(extra if request.param == "sqlite" else {}),
    )
    example.prepare("--users", "4", "--cats", "0")
    example.start(processes=2)
    yield example
    example.stop()


def at_once(jobs):
    """Run ``jobs`` from as many threads, released together."""
    start = threading.Barrier(len(jobs))

    def run(job):
        start.wait()
        return job()

    with ThreadPoolExecutor(len(jobs)) as pool:
        return list(pool.map(run, jobs))


def test_one_name_registered_in_several_cases_at_once_makes_one_account(site):
    for n in range(ROUNDS):
        results = at_once(
            [
                lambda url=site.urls[index % 2], name=name: call(
                    f"{url}/api/users/", "POST", {"username": name, "password": DEMO_PASSWORD}
                )
                for index, name in enumerate(variants("Dup", n))
            ]
        )
        statuses = Counter(status for status, _ in results)
        print(f"\nround {n}: statuses {dict(sorted(statuses.items()))}")
        assert statuses == {201: 1, 400: len(VARIANTS) - 1}
        assert all(body == {"username": [TAKEN]} for status, body in results if status == 400)


def test_usernames_changed_to_one_name_in_several_cases_at_once_leave_one_holder(site):
    users = [f"user{index}" for index in range(4)]
    tokens = [log_in(site.urls[index % 2], user) for index, user in enumerate(users)]
    for n in range(ROUNDS):
        results = at_once(
            [
                lambda url=site.urls[index % 2], token=token, name=name: call(
                    f"{url}/api/users/set_username/",
                    "POST",
                    {"current_password": DEMO_PASSWORD, "new_username": name},
                    token,
                )
                for index, (token, name) in enumerate(
                    zip(tokens, variants("Renamed", n), strict=False)
                )
            ]
        )
        statuses = Counter(status for status, _ in results)
        print(f"\nround {n}: statuses {dict(sorted(statuses.items()))}")
        assert statuses == {204: 1, 400: len(tokens) - 1}
        assert all(body == {"new_username": [TAKEN]} for status, body in results if status == 400)
