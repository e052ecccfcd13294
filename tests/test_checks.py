from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings

VALID = {
    "PAGE_SIZE": 25,
    "IMAGE_MAX_BYTES": 1024,
    "IMAGE_MAX_PIXELS": 1000,
    "MAX_BODY_BYTES": 4096,
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=5),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=1),
    "AUTH_HEADER_TYPES": ["JWT"],
    "THROTTLE_RATES": {"login_username": "5/min", "reset": "1/day"},
    "PASSWORD_RESET_CONFIRM_URL": "https://cats.example/reset/{uid}/{token}",
    "USERNAME_RESET_CONFIRM_URL": "/username/{uid}/{token}",
    "ACTIVATION_URL": "/activate/{uid}/{token}",
    "SEND_ACTIVATION_EMAIL": True,
}


def test_valid_settings_pass_the_checks():
    with override_settings(CATGRAM=VALID):
        call_command("check")


@pytest.mark.parametrize(
    ("catgram", "check_id"),
    [
        ([("PAGE_SIZE", 5)], "E001"),
        ({"PAGE_SIZ": 5}, "E001"),
        ({"PAGE_SIZE": 0}, "E002"),
        ({"PAGE_SIZE": "10"}, "E002"),
        ({"PAGE_SIZE": True}, "E002"),
        ({"IMAGE_MAX_BYTES": -1}, "E003"),
        ({"IMAGE_MAX_PIXELS": 2.5}, "E004"),
        ({"MAX_BODY_BYTES": None}, "E005"),
        ({"ACCESS_TOKEN_LIFETIME": 3600}, "E006"),
        ({"REFRESH_TOKEN_LIFETIME": timedelta(0)}, "E006"),
        ({"AUTH_HEADER_TYPES": []}, "E007"),
        ({"AUTH_HEADER_TYPES": "Bearer"}, "E007"),
        ({"AUTH_HEADER_TYPES": ["Bearer token"]}, "E007"),
        ({"THROTTLE_RATES": {"login_username": "10/minute"}}, "E008"),
        ({"THROTTLE_RATES": {"logins": "10/min"}}, "E008"),
        ({"THROTTLE_RATES": ["10/min"]}, "E008"),
        ({"THROTTLE_RATES": {"login_username": 10}}, "E008"),
        ({"PASSWORD_RESET_CONFIRM_URL": "/reset/{uid}"}, "E009"),
        ({"ACTIVATION_URL": None}, "E009"),
        ({"SEND_ACTIVATION_EMAIL": "yes"}, "E010"),
    ],
)
def test_an_invalid_setting_fails_manage_py_check_with_its_id(catgram, check_id):
    with (
        override_settings(CATGRAM=catgram),
        pytest.raises(SystemCheckError, match=rf"\(django_catgram\.{check_id}\)"),
    ):
        call_command("check")


def test_the_token_blacklist_app_is_required():
    from django.conf import settings

    installed = [app for app in settings.INSTALLED_APPS if app != "ninja_jwt.token_blacklist"]
    with (
        override_settings(INSTALLED_APPS=installed),
        pytest.raises(SystemCheckError, match=r"\(django_catgram\.E011\)"),
    ):
        call_command("check")


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=2_621_440)
def test_a_django_body_limit_below_ours_is_a_warning():
    with pytest.raises(SystemCheckError, match=r"\(django_catgram\.W001\)"):
        call_command("check", "--fail-level", "WARNING")
