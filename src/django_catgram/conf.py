"""django-catgram's settings, read from the host's ``CATGRAM`` dict on every access.

Nothing is written into the host's settings: a missing key falls back to ``DEFAULTS``, and
``override_settings(CATGRAM=...)`` takes effect at once because nothing is cached.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, TypeVar

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # Page size of the paginated lists (cats/, users/); existing clients assume 10.
    "PAGE_SIZE": 10,
    # Largest accepted photo, decoded, in bytes.
    "IMAGE_MAX_BYTES": 5 * 1024 * 1024,
    # Largest accepted photo in pixels (width x height); more is refused as a decompression bomb.
    "IMAGE_MAX_PIXELS": 25_000_000,
    # Largest stored photo, in pixels on its long side: larger photos are scaled down.
    "IMAGE_MAX_SIDE": 2048,
    # Long side of the thumbnail made of every photo, in pixels.
    "THUMBNAIL_SIDE": 400,
    # JPEG and WebP quality of stored photos and thumbnails, 1 (smallest) to 95 (best).
    "IMAGE_QUALITY": 85,
    # Largest request body in bytes; a bigger one gets 413.
    "MAX_BODY_BYTES": 10 * 1024 * 1024,
    "ACCESS_TOKEN_LIFETIME": timedelta(hours=24),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=7),
    # Scheme words accepted in the Authorization header.
    "AUTH_HEADER_TYPES": ("Bearer", "Token"),
    # Rates as "<count>/<s|sec|m|min|h|hour|d|day>", the format of django-ninja's throttles.
    "THROTTLE_RATES": {
        "login_username": "10/min",
        "login_address": "100/min",
        "registration": "100/hour",
        "reset": "20/hour",
    },
    # While the cache is down the rate limits cannot be checked: False refuses those requests
    # (503 with Retry-After), True lets them through unlimited.
    "THROTTLE_FAIL_OPEN": False,
    # Links mailed to users, relative to the front end; {uid} and {token} are filled in.
    "PASSWORD_RESET_CONFIRM_URL": "#/password/reset/confirm/{uid}/{token}",
    "USERNAME_RESET_CONFIRM_URL": "#/username/reset/confirm/{uid}/{token}",
    "ACTIVATION_URL": "#/activate/{uid}/{token}",
    "EMAIL_CHANGE_CONFIRM_URL": "#/email/change/confirm/{uid}/{token}",
    # When true, registration creates an inactive user and mails an activation link.
    "SEND_ACTIVATION_EMAIL": False,
    # When true, a new or changed username must differ from every other in more than case.
    "USERNAME_CASE_INSENSITIVE": True,
    # Mail a notice to the user's address after a password change or reset, and after a
    # username change or reset (djoser's settings of the same names).
    "PASSWORD_CHANGED_EMAIL_CONFIRMATION": True,
    "USERNAME_CHANGED_EMAIL_CONFIRMATION": True,
    # When true, a new e-mail address is set only once the link mailed to it is followed
    # (EMAIL_CHANGE_CONFIRM_URL); the old address is told.
    "EMAIL_CHANGE_CONFIRMATION": False,
}

T = TypeVar("T")


class CatgramSettings:
    """Typed access to each setting; every attribute reads ``settings.CATGRAM`` anew."""

    def _get(self, name: str, kind: type[T]) -> T:
        """The setting ``name``, of type ``kind`` (for the type checker only: not checked)."""
        value: T = self.user_settings.get(name, DEFAULTS[name])
        return value

    @property
    def user_settings(self) -> dict[str, Any]:
        """The host's ``CATGRAM`` dict (empty when it has none)."""
        return getattr(settings, "CATGRAM", {})

    @property
    def PAGE_SIZE(self) -> int:
        return self._get("PAGE_SIZE", int)

    @property
    def IMAGE_MAX_BYTES(self) -> int:
        return self._get("IMAGE_MAX_BYTES", int)

    @property
    def IMAGE_MAX_PIXELS(self) -> int:
        return self._get("IMAGE_MAX_PIXELS", int)

    @property
    def IMAGE_MAX_SIDE(self) -> int:
        return self._get("IMAGE_MAX_SIDE", int)

    @property
    def THUMBNAIL_SIDE(self) -> int:
        return self._get("THUMBNAIL_SIDE", int)

    @property
    def IMAGE_QUALITY(self) -> int:
        return self._get("IMAGE_QUALITY", int)

    @property
    def MAX_BODY_BYTES(self) -> int:
        return self._get("MAX_BODY_BYTES", int)

    @property
    def ACCESS_TOKEN_LIFETIME(self) -> timedelta:
        return self._get("ACCESS_TOKEN_LIFETIME", timedelta)

    @property
    def REFRESH_TOKEN_LIFETIME(self) -> timedelta:
        return self._get("REFRESH_TOKEN_LIFETIME", timedelta)

    @property
    def AUTH_HEADER_TYPES(self) -> tuple[str, ...]:
        return tuple(self._get("AUTH_HEADER_TYPES", tuple))

    @property
    def THROTTLE_RATES(self) -> dict[str, str]:
        """The default rates, updated with the scopes the host sets."""
        return {**DEFAULTS["THROTTLE_RATES"], **self.user_settings.get("THROTTLE_RATES", {})}

    @property
    def THROTTLE_FAIL_OPEN(self) -> bool:
        return self._get("THROTTLE_FAIL_OPEN", bool)

    @property
    def PASSWORD_RESET_CONFIRM_URL(self) -> str:
        return self._get("PASSWORD_RESET_CONFIRM_URL", str)

    @property
    def USERNAME_RESET_CONFIRM_URL(self) -> str:
        return self._get("USERNAME_RESET_CONFIRM_URL", str)

    @property
    def ACTIVATION_URL(self) -> str:
        return self._get("ACTIVATION_URL", str)

    @property
    def SEND_ACTIVATION_EMAIL(self) -> bool:
        return self._get("SEND_ACTIVATION_EMAIL", bool)

    @property
    def USERNAME_CASE_INSENSITIVE(self) -> bool:
        return self._get("USERNAME_CASE_INSENSITIVE", bool)

    @property
    def PASSWORD_CHANGED_EMAIL_CONFIRMATION(self) -> bool:
        return self._get("PASSWORD_CHANGED_EMAIL_CONFIRMATION", bool)

    @property
    def USERNAME_CHANGED_EMAIL_CONFIRMATION(self) -> bool:
        return self._get("USERNAME_CHANGED_EMAIL_CONFIRMATION", bool)

    @property
    def EMAIL_CHANGE_CONFIRMATION(self) -> bool:
        return self._get("EMAIL_CHANGE_CONFIRMATION", bool)

    @property
    def EMAIL_CHANGE_CONFIRM_URL(self) -> str:
        return self._get("EMAIL_CHANGE_CONFIRM_URL", str)


catgram_settings = CatgramSettings()
