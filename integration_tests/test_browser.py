"""The example project's docs page and admin in a real browser: Chromium driven by Playwright.

The browser is Debian's Chromium (``apt-get install chromium``), not Playwright's own download.
Screenshots of each step are left in the test's temporary folder.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect, sync_playwright

from live_tests.server import DEMO_PASSWORD, ExampleSite, call, log_in

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 30_000


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The seeded example project in debug mode, so that runserver serves its static files."""
    example = ExampleSite(tmp_path_factory.mktemp("site"), "catgram_browser", DJANGO_DEBUG="1")
    example.prepare()
    example.start(processes=1, runserver=True)
    yield example
    example.stop()


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: apt-get install chromium"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


class Traffic:
    """Every request a page makes, and the ones that failed or got an error status."""

    def __init__(self, page):
        self.urls: list[str] = []
        self.failures: list[str] = []
        page.on("request", lambda request: self.urls.append(request.url))
        page.on("requestfailed", self.request_failed)
        page.on(
            "response",
            lambda response: (
                response.status >= 400 and self.failures.append(f"{response.status} {response.url}")
            ),
        )

    def request_failed(self, request) -> None:
        # The page itself cancels some requests: select2 aborts its search while one types.
        if request.failure != "net::ERR_ABORTED":
            self.failures.append(f"{request.failure} {request.url}")

    def foreign(self, base_url: str) -> list[str]:
        """Requests that left the site (the network is closed: they would fail)."""
        host = urlsplit(base_url).netloc
        return [
            url
            for url in self.urls
            if urlsplit(url).scheme in ("http", "https") and urlsplit(url).netloc != host
        ]


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


def test_the_docs_page_authorizes_and_tries_out_the_cats_list(site, page, tmp_path):
    url = site.urls[0]
    traffic = Traffic(page)
    page.goto(f"{url}/api/docs")
    expect(page.locator("#operations-cats-list_cats")).to_be_visible()
    page.screenshot(path=tmp_path / "01-docs.png", full_page=True)
    # Swagger UI's own script and style came from this site, none from a CDN.
    assert f"{url}/static/ninja/swagger-ui-bundle.js" in traffic.urls
    assert f"{url}/static/ninja/swagger-ui.css" in traffic.urls
    assert traffic.foreign(url) == []

    token = log_in(url, "user0")
    page.locator(".scheme-container button.authorize").click()
    dialog = page.locator(".modal-ux")
    dialog.locator("input").fill(token)
    dialog.locator("button[type=submit]").click()
    expect(dialog.get_by_text("Authorized", exact=True)).to_be_visible()
    page.screenshot(path=tmp_path / "02-authorized.png")
    dialog.locator("button.btn-done").click()

    operation = page.locator("#operations-cats-list_cats")
    operation.locator(".opblock-summary-control").click()
    operation.locator("button.try-out__btn").click()
    operation.locator("button.execute").click()
    response = operation.locator(".live-responses-table .response").first
    expect(response.locator(".response-col_status")).to_have_text("200")
    expect(response.locator(".response-col_description")).to_contain_text('"name": "Barsik"')
    expect(operation.locator(".curl-command")).to_contain_text(f"Bearer {token}")
    page.screenshot(path=tmp_path / "03-cats-tried-out.png", full_page=True)
    assert traffic.failures == []
    assert traffic.foreign(url) == []


def test_the_admin_adds_a_cat_with_an_achievement_that_the_api_serves(site, page, tmp_path):
    url = site.urls[0]
    traffic = Traffic(page)
    token = log_in(url, "user0")
    status, me = call(f"{url}/api/users/me/", token=token)
    assert status == 200

    page.goto(f"{url}/admin/")
    page.locator("#id_username").fill("user0")
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.screenshot(path=tmp_path / "04-admin-login.png")
    page.locator("input[type=submit]").click()
    expect(page.get_by_role("link", name="Cats")).to_be_visible()

    page.goto(f"{url}/admin/catgram/cat/add/")
    page.locator("#id_name").fill("Browser Kit")
    page.locator("#id_color").fill("black")
    page.locator("#id_birth_year").fill("2021")
    page.locator("#id_owner").fill(str(me["id"]))
    # The achievement inline's autocomplete (select2, asking the admin's autocomplete view).
    page.locator("#id_achievementcat_set-0-achievement + .select2 .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill("doors")
    page.locator(".select2-results__option", has_text="Opens doors").click()
    expect(
        page.locator("#id_achievementcat_set-0-achievement + .select2 .select2-selection")
    ).to_contain_text("Opens doors")
    page.screenshot(path=tmp_path / "05-admin-cat-form.png", full_page=True)
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist .success")).to_contain_text("was added successfully")
    page.screenshot(path=tmp_path / "06-admin-cat-saved.png", full_page=True)
    assert traffic.failures == []
    assert traffic.foreign(url) == []

    status, found = call(f"{url}/api/cats/?search=Browser%20Kit", token=token)
    assert status == 200, found
    assert found["count"] == 1
    (cat,) = found["results"]
    assert (cat["name"], cat["color"], cat["birth_year"], cat["owner"]) == (
        "Browser Kit",
        "black",
        2021,
        me["id"],
    )
    assert [a["achievement_name"] for a in cat["achievements"]] == ["Opens doors"]
