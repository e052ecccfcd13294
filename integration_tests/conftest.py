import pytest

from integration_tests.host import VARIANTS, HostSite, build_wheel, make_virtualenv


@pytest.fixture(scope="session")
def host_python(tmp_path_factory):
    """A fresh virtualenv holding the wheel built from this repository (and gunicorn)."""
    wheel = build_wheel(tmp_path_factory.mktemp("dist"))
    return make_virtualenv(tmp_path_factory.mktemp("venv"), wheel)


def serve(variant, host_python, tmp_path_factory):
    folder = tmp_path_factory.mktemp(f"host-{variant}") / "site"
    site = HostSite(folder, host_python, variant)
    site.prepare()
    site.start()
    return site


@pytest.fixture(scope="session")
def include_host(host_python, tmp_path_factory):
    """The host mounting ``django_catgram.urls`` at /v2/, migrated and served by gunicorn."""
    site = serve("include", host_python, tmp_path_factory)
    yield site
    site.stop()


@pytest.fixture(scope="session")
def own_api_host(host_python, tmp_path_factory):
    """The host adding our routers to its own NinjaAPI at /v2/, migrated and served."""
    site = serve("own_api", host_python, tmp_path_factory)
    yield site
    site.stop()


@pytest.fixture(params=list(VARIANTS))
def host(request):
    """Each variant of the host in turn."""
    return request.getfixturevalue(f"{request.param}_host")
