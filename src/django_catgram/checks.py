"""System checks for the ``CATGRAM`` setting, ids ``django_catgram.E001`` and up."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning
from ninja.throttling import SimpleRateThrottle

from django_catgram.conf import DEFAULTS, catgram_settings


def _positive_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _positive_timedelta(value: Any) -> bool:
    return isinstance(value, timedelta) and value > timedelta(0)


def _header_types(value: Any) -> bool:
    return (
        isinstance(value, (list, tuple))
        and len(value) > 0
        and all(isinstance(word, str) and word.split() == [word] for word in value)
    )


def _valid_rate(rate: Any) -> bool:
    if not isinstance(rate, str):
        return False
    try:
        SimpleRateThrottle(rate)
    except ValueError:
        return False
    return True


def _throttle_rates(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and set(value) <= set(DEFAULTS["THROTTLE_RATES"])
        and all(_valid_rate(rate) for rate in value.values())
    )


def _link_format(value: Any) -> bool:
    return isinstance(value, str) and "{uid}" in value and "{token}" in value


# (check id, setting names, test of a valid value, what a valid value is)
_RULES: list[tuple[str, tuple[str, ...], Callable[[Any], bool], str]] = [
    ("E002", ("PAGE_SIZE",), _positive_int, "a positive integer"),
    ("E003", ("IMAGE_MAX_BYTES",), _positive_int, "a positive integer (bytes)"),
    ("E004", ("IMAGE_MAX_PIXELS",), _positive_int, "a positive integer (pixels)"),
    ("E005", ("MAX_BODY_BYTES",), _positive_int, "a positive integer (bytes)"),
    ("E012", ("IMAGE_MAX_SIDE", "THUMBNAIL_SIDE"), _positive_int, "a positive integer (pixels)"),
    (
        "E013",
        ("IMAGE_QUALITY",),
        lambda value: _positive_int(value) and value <= 95,
        "an integer from 1 to 95",
    ),
    (
        "E006",
        ("ACCESS_TOKEN_LIFETIME", "REFRESH_TOKEN_LIFETIME"),
        _positive_timedelta,
        "a positive datetime.timedelta",
    ),
    (
        "E007",
        ("AUTH_HEADER_TYPES",),
        _header_types,
        'a non-empty list of single words, such as ("Bearer", "Token")',
    ),
    (
        "E008",
        ("THROTTLE_RATES",),
        _throttle_rates,
        f"a dict with keys among {sorted(DEFAULTS['THROTTLE_RATES'])} and rates such as "
        '"10/min" (units s, sec, m, min, h, hour, d, day)',
    ),
    (
        "E009",
        (
            "PASSWORD_RESET_CONFIRM_URL",
            "USERNAME_RESET_CONFIRM_URL",
            "ACTIVATION_URL",
            "EMAIL_CHANGE_CONFIRM_URL",
        ),
        _link_format,
        "a string containing {uid} and {token}",
    ),
    (
        "E010",
        (
            "SEND_ACTIVATION_EMAIL",
            "THROTTLE_FAIL_OPEN",
            "USERNAME_CASE_INSENSITIVE",
            "PASSWORD_CHANGED_EMAIL_CONFIRMATION",
            "USERNAME_CHANGED_EMAIL_CONFIRMATION",
            "EMAIL_CHANGE_CONFIRMATION",
        ),
        lambda value: isinstance(value, bool),
        "True or False",
    ),
]


def check_settings(**kwargs: Any) -> list[CheckMessage]:
    """Report each ``CATGRAM`` value that is not of the documented kind."""
    user_settings = catgram_settings.user_settings
    if not isinstance(user_settings, dict):
        return [Error("CATGRAM must be a dict.", id="django_catgram.E001")]
    errors: list[CheckMessage] = [
        Error(
            f"CATGRAM has an unknown key {key!r}.",
            hint=f"Known keys: {', '.join(sorted(DEFAULTS))}.",
            id="django_catgram.E001",
        )
        for key in sorted(set(user_settings) - set(DEFAULTS))
    ]
    for check_id, names, is_valid, expected in _RULES:
        errors.extend(
            Error(
                f"CATGRAM[{name!r}] must be {expected}; it is {user_settings[name]!r}.",
                id=f"django_catgram.{check_id}",
            )
            for name in names
            if name in user_settings and not is_valid(user_settings[name])
        )
    if not apps.is_installed("ninja_jwt.token_blacklist"):
        errors.append(
            Error(
                "django-catgram blacklists used refresh tokens with django-ninja-jwt's "
                "token_blacklist app, which is not installed.",
                hint='Add "ninja_jwt.token_blacklist" to INSTALLED_APPS.',
                id="django_catgram.E011",
            )
        )
    upload_limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    max_body = user_settings.get("MAX_BODY_BYTES", DEFAULTS["MAX_BODY_BYTES"])
    if upload_limit is not None and _positive_int(max_body) and upload_limit < max_body:
        errors.append(
            Warning(
                f"DATA_UPLOAD_MAX_MEMORY_SIZE ({upload_limit}) is below CATGRAM['MAX_BODY_BYTES'] "
                f"({max_body}): Django refuses bodies between the two "
                "(413), such as a large photo sent as a data URL.",
                hint="Set DATA_UPLOAD_MAX_MEMORY_SIZE to CATGRAM['MAX_BODY_BYTES'] or more.",
                id="django_catgram.W001",
            )
        )
    return errors
