"""The example project in production mode (DJANGO_DEBUG=0), as a deployment serves it."""

import urllib.error
import urllib.request

from live_tests.server import DEMO_PASSWORD, call, log_in

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def headers_of(url):
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.headers
    except urllib.error.HTTPError as error:
        return error.headers


def test_api_errors_are_json_without_tracebacks_or_html(site):
    url = site.urls[0]
    for path in ("/api/nowhere", "/api/cats", "/api/cats/1/"):
        status, body = call(f"{url}{path}")
        assert status in (401, 404)
        assert set(body) == {"detail"}
    status, body = call(f"{url}/api/cats/", "POST", {"name": "x"}, token="forged")
    assert status == 401
    assert "Traceback" not in str(body)


def test_responses_carry_the_security_headers(site):
    headers = headers_of(f"{site.urls[0]}/api/openapi.json")
    for name, value in SECURITY_HEADERS.items():
        assert headers[name] == value, name


def test_no_response_or_log_shows_a_password(site):
    url = site.urls[0]
    token = log_in(url, "user0")
    status, me = call(f"{url}/api/users/me/", token=token)
    assert status == 200
    assert set(me) == {"email", "id", "username"}
    status, created = call(
        f"{url}/api/users/", "POST", {"username": "newcomer", "password": "Secret-Whisker-42"}
    )
    assert status == 201
    assert "Secret-Whisker-42" not in str(created)
    call(f"{url}/api/auth/token", "POST", {"username": "user0", "password": "Wrong-But-Secret-9"})
    logs = site.logs()
    for secret in ("Secret-Whisker-42", "Wrong-But-Secret-9", DEMO_PASSWORD):
        assert secret not in logs


def test_rate_limits_are_shared_by_the_server_processes(site):
    """The example project's database cache holds the counts, so every process sees them."""
    first, second = site.urls
    body = {"username": "user5", "password": "not-the-password"}
    for attempt in range(10):
        status, _ = call(f"{(first, second)[attempt % 2]}/api/auth/token", "POST", body)
        assert status == 401
    status, answer = call(f"{second}/api/token/login/", "POST", body)
    assert status == 429
    assert set(answer) == {"detail"}
