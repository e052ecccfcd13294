import os

import pytest

from live_tests.server import ExampleSite


@pytest.fixture(scope="module")
def site(tmp_path_factory, request):
    """The example project on a fresh database, served by two server processes."""
    workdir = tmp_path_factory.mktemp("site")
    env_name = os.environ.get("TOX_ENV_NAME", "local").replace("-", "_")
    name = f"catgram_live_{env_name}_{request.module.__name__.rsplit('.', 1)[-1]}"
    example = ExampleSite(workdir, name)
    example.prepare("--users", "20", "--cats", "30")
    example.start(processes=2)
    yield example
    example.stop()
