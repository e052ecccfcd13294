"""Rate limits on login, registration and the mail endpoints, kept in Django's cache.

The cache is what several server processes share, so configure one they all see (the
database cache needs no extra server). Rates are read from ``CATGRAM["THROTTLE_RATES"]`` on
each request.
"""

from __future__ import annotations

import hashlib
import json

from django.http import HttpRequest
from ninja.conf import settings as ninja_settings
from ninja.throttling import SimpleRateThrottle

from django_catgram.conf import catgram_settings


class CatgramThrottle(SimpleRateThrottle):
    """Django Ninja's cache-based throttle, per client address, with its rate from settings."""

    scope: str

    def __init__(self) -> None:
        """Nothing to parse yet: the rate is read on each request."""

    def allow_request(self, request: HttpRequest) -> bool:
        self.rate = catgram_settings.THROTTLE_RATES[self.scope]
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)

    def get_ident(self, request: HttpRequest) -> str | None:
        # Trust X-Forwarded-For only behind a known number of proxies (NINJA_NUM_PROXIES):
        # otherwise any client could pick a new address for each request.
        if ninja_settings.NUM_PROXIES is None:
            return request.META.get("REMOTE_ADDR")
        return super().get_ident(request)

    def get_cache_key(self, request: HttpRequest) -> str | None:
        return f"catgram_throttle_{self.scope}_{self.get_ident(request)}"


class LoginAddressThrottle(CatgramThrottle):
    scope = "login_address"


class LoginUsernameThrottle(CatgramThrottle):
    """Per username tried, whatever the address: slows guessing one account's password."""

    scope = "login_username"

    def get_cache_key(self, request: HttpRequest) -> str | None:
        try:
            username = json.loads(request.body).get("username")
        except (ValueError, AttributeError):
            return None  # the body is refused with 400 anyway
        if not isinstance(username, str):
            return None
        # Hashed: a username may hold anything, and cache keys may not (memcached).
        digest = hashlib.sha256(username.strip().casefold().encode()).hexdigest()
        return f"catgram_throttle_{self.scope}_{digest}"


class RegistrationThrottle(CatgramThrottle):
    scope = "registration"


class ResetThrottle(CatgramThrottle):
    scope = "reset"


LOGIN = [LoginAddressThrottle(), LoginUsernameThrottle()]
REGISTRATION = [RegistrationThrottle()]
RESET = [ResetThrottle()]
