"""Rate limits on login, registration and the mail endpoints, kept in Django's cache.

The cache is what several server processes share, so configure one they all see (the
database cache needs no extra server). Rates are read from ``CATGRAM["THROTTLE_RATES"]`` on
each request. While the cache is down a limit cannot be checked, so the request is refused with
503 (or let through with ``CATGRAM["THROTTLE_FAIL_OPEN"]``).
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja.conf import settings as ninja_settings
from ninja.throttling import BaseThrottle, SimpleRateThrottle

from django_catgram import messages
from django_catgram.caching import CacheUnavailable, cache_guard
from django_catgram.conf import catgram_settings
from django_catgram.errors import BodyParseError, ServiceUnavailable
from django_catgram.parsers import parsed_body


def client_address(request: HttpRequest) -> str | None:
    """The client's IP address, or None if what names it is not one.

    X-Forwarded-For is trusted only behind a known number of proxies (NINJA_NUM_PROXIES):
    otherwise any client could pick a new address for each request.
    """
    if ninja_settings.NUM_PROXIES is None:
        address = request.META.get("REMOTE_ADDR")
    else:
        address = BaseThrottle().get_ident(request)
    try:
        return str(ipaddress.ip_address((address or "").strip()))
    except ValueError:
        return None


class CatgramThrottle(SimpleRateThrottle):
    """Django Ninja's cache-based throttle, per client address, with its rate from settings."""

    scope: str

    def __init__(self) -> None:
        """Nothing to parse yet: the rate is read on each request."""

    def allow_request(self, request: HttpRequest) -> bool:
        self.rate = catgram_settings.THROTTLE_RATES[self.scope]
        self.num_requests, self.duration = self.parse_rate(self.rate)
        # The key first, outside the cache guard: reading the body may fail on its own.
        if self.get_cache_key(request) is None:
            return True
        try:
            with cache_guard():  # the default cache, Ninja's self.cache
                return super().allow_request(request)
        except CacheUnavailable:
            if catgram_settings.THROTTLE_FAIL_OPEN:
                return True
            raise ServiceUnavailable(messages.LIMIT_UNCHECKED) from None

    def get_ident(self, request: HttpRequest) -> str | None:
        # Clients whose proxy names no address share one count.
        return client_address(request) or "unknown"

    def get_cache_key(self, request: HttpRequest) -> str | None:
        return f"catgram_throttle_{self.scope}_{self.get_ident(request)}"


class LoginAddressThrottle(CatgramThrottle):
    scope = "login_address"


class LoginUsernameThrottle(CatgramThrottle):
    """Per username tried, whatever the address: slows guessing one account's password."""

    scope = "login_username"

    def get_cache_key(self, request: HttpRequest) -> str | None:
        # The body as the view reads it, JSON or form.
        try:
            body = parsed_body(request)
        except BodyParseError:
            return None  # the view refuses the body with 400
        username = body.get("username") if isinstance(body, dict) else None
        if not isinstance(username, str):
            return None  # refused with 400 too
        # Hashed: a username may hold anything, and cache keys may not (memcached).
        # surrogatepass: a lone surrogate (refused by the view) must not fail the throttle first.
        digest = hashlib.sha256(
            username.strip().casefold().encode(errors="surrogatepass")
        ).hexdigest()
        return f"catgram_throttle_{self.scope}_{digest}"


class RegistrationThrottle(CatgramThrottle):
    scope = "registration"


class ResetThrottle(CatgramThrottle):
    scope = "reset"


# Lists of BaseThrottle, the type of Django Ninja's throttle= argument.
LOGIN: list[BaseThrottle] = [LoginAddressThrottle(), LoginUsernameThrottle()]
REGISTRATION: list[BaseThrottle] = [RegistrationThrottle()]
RESET: list[BaseThrottle] = [ResetThrottle()]


def limit_logins(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Limit a login view outside the API (such as the admin's) as the API's logins are: each
    POST counts against ``login_username`` and ``login_address``; over either, a 429.

    Else that view would be a way around the API's limits to guess a password.
    """

    @wraps(view)
    def limited(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method == "POST":
            try:
                waits = [
                    throttle.wait() for throttle in LOGIN if not throttle.allow_request(request)
                ]
            except ServiceUnavailable as error:
                return refusal(error.message, 503, error.retry_after)
            if waits:
                return refusal(messages.TOO_MANY_LOGINS, 429, max(filter(None, waits), default=60))
        return view(request, *args, **kwargs)

    return limited


def refusal(message: str, status: int, retry_after: float) -> HttpResponse:
    response = HttpResponse(f"{message}\n", status=status, content_type="text/plain")
    response["Retry-After"] = str(math.ceil(retry_after))
    return response
