"""Every path of the example project answers JSON, whatever the method (issue 29).

Its URL patterns are walked with every method HTTP defines and some it does not, as a browser
sends them (Django's CSRF check on): every answer is JSON and none a 500 or Django's HTML CSRF
page, every 405 names in Allow exactly the methods its path serves, and OPTIONS answers 200 with
that Allow.
"""

import gc
import importlib
import re
import sys
import warnings
from pathlib import Path

import pytest
from django.test import Client
from django.urls import URLResolver, resolve
from django.urls.converters import get_converters
from django.urls.resolvers import RegexPattern

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "example_project"))  # where manage.py finds its package
example_urls = importlib.import_module("example_project.urls")

METHODS = (
    *("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"),
    *("QUERY", "PROPFIND", "FOO"),  # beyond HTTP's own: a draft, WebDAV's, a made-up one
)
# Not walked: the admin, Django's own HTML app, whose forms rightly need CSRF's token. (The
# media files are no pattern here: static() serves them only with DEBUG on, for development.)
NOT_WALKED = ("/admin/",)
# Paths that serve nothing and are a JSON 404 whatever the method: Ninja's root view, which
# only marks where the API is mounted, and the catch-all.
NOT_SERVED = ("/api/", "/api/no/such/path")
DOCS_PAGE = "/api/docs"
READINESS = "/health/ready/"
PARAMETER = re.compile(r"<(?:(\w+):)?\w+>")  # <catgram_cat:cat_id>, <user_id>


def walk(patterns, prefix="/"):
    """(URL, pattern) for each pattern: "me" for a parameter that takes it (users/me/), else 1."""
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if route.startswith(NOT_WALKED):
            continue
        if isinstance(pattern, URLResolver):
            yield from walk(pattern.url_patterns, route)
        elif isinstance(pattern.pattern, RegexPattern):  # the catch-all
            yield prefix + "no/such/path", pattern
        else:
            yield PARAMETER.sub(parameter, route), pattern


def parameter(match):
    regex = get_converters()[match[1] or "str"].regex
    return "me" if re.fullmatch(regex, "me") else "1"


URLS = {}
for url, pattern in walk(example_urls.urlpatterns):
    URLS.setdefault(url, pattern)  # of the patterns of one route, the first answers
SERVED = [url for url in URLS if url not in NOT_SERVED]


@pytest.fixture
def browser(db, settings):
    """A client with Django's CSRF check on, against the example project's URLs."""
    settings.ROOT_URLCONF = "example_project.urls"
    return Client(enforce_csrf_checks=True)


def send(client, method, url):
    if url != READINESS:
        return client.generic(method, url, "{}", "application/json")
    # The readiness check reads the database in a worker thread of its event loop, and Django
    # never closes a connection to an in-memory SQLite database (the tests'): Python 3.13 warns
    # when such a thread's connection is collected, later, in whichever test runs then. Here it
    # is collected at once, without the warning. (A served database's connection is closed.)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        response = client.generic(method, url, "{}", "application/json")
        gc.collect()
    return response


def allow(response):
    return set(response["Allow"].split(", "))


def test_the_walk_covers_the_api_its_docs_the_health_endpoints_and_the_catch_all():
    assert set(URLS) >= {
        "/api/",
        "/api/docs",
        "/api/openapi.json",
        "/api/cats/",
        "/api/cats/1/",
        "/api/users/me/",
        "/api/auth/sessions/1/",
        "/api/no/such/path",
        "/health/live/",
        "/health/ready/",
    }
    for url, pattern in URLS.items():
        assert resolve(url, example_urls).func is pattern.callback, url


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("url", URLS)
def test_every_answer_is_json_and_never_a_server_error_or_the_csrf_page(browser, url, method):
    response = send(browser, method, url)
    status = response.status_code
    assert status < 500, response.content[:300]
    page = url == DOCS_PAGE and method in {"GET", "HEAD"} and status == 200
    content_type = response["Content-Type"].split(";")[0]
    assert content_type == ("text/html" if page else "application/json"), (status, content_type)
    if method != "HEAD" and not page:
        assert isinstance(response.json(), dict)
    if status == 405:
        assert method not in allow(response)


@pytest.mark.parametrize("url", SERVED)
def test_allow_names_exactly_the_methods_a_path_serves_and_options_answers_with_it(browser, url):
    answers = {method: send(browser, method, url) for method in METHODS}
    served = {method for method, response in answers.items() if response.status_code != 405}
    assert answers["OPTIONS"].status_code == 200
    assert {"GET", "HEAD"} <= served or "GET" not in served
    for method, response in answers.items():
        if response.status_code == 405 or method == "OPTIONS":
            assert allow(response) == served, method


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("url", NOT_SERVED)
def test_a_path_that_serves_nothing_is_a_json_404_whatever_the_method(browser, url, method):
    response = send(browser, method, url)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
