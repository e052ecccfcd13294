from datetime import timedelta

from django.test import override_settings

from django_catgram.conf import DEFAULTS, catgram_settings


def test_defaults_apply_when_the_host_sets_nothing():
    assert catgram_settings.PAGE_SIZE == 10
    assert catgram_settings.IMAGE_MAX_BYTES == 5 * 1024 * 1024
    assert catgram_settings.IMAGE_MAX_PIXELS == 25_000_000
    assert catgram_settings.MAX_BODY_BYTES == 10 * 1024 * 1024
    assert catgram_settings.ACCESS_TOKEN_LIFETIME == timedelta(hours=24)
    assert catgram_settings.REFRESH_TOKEN_LIFETIME == timedelta(days=7)
    assert catgram_settings.AUTH_HEADER_TYPES == ("Bearer", "Token")
    assert catgram_settings.THROTTLE_RATES == DEFAULTS["THROTTLE_RATES"]
    assert catgram_settings.SEND_ACTIVATION_EMAIL is False
    assert "{uid}" in catgram_settings.PASSWORD_RESET_CONFIRM_URL
    assert "{token}" in catgram_settings.USERNAME_RESET_CONFIRM_URL
    assert "{uid}" in catgram_settings.ACTIVATION_URL


def test_settings_are_read_on_access_so_overrides_apply_at_once():
    with override_settings(CATGRAM={"PAGE_SIZE": 3, "AUTH_HEADER_TYPES": ["JWT"]}):
        assert catgram_settings.PAGE_SIZE == 3
        assert catgram_settings.AUTH_HEADER_TYPES == ("JWT",)
    assert catgram_settings.PAGE_SIZE == 10


@override_settings(CATGRAM={"THROTTLE_RATES": {"reset": "5/hour"}})
def test_a_throttle_rate_set_by_the_host_keeps_the_other_defaults():
    assert catgram_settings.THROTTLE_RATES["reset"] == "5/hour"
    assert catgram_settings.THROTTLE_RATES["login_username"] == "10/min"


def test_the_defaults_are_not_written_into_the_host_settings():
    from django.conf import settings

    assert not hasattr(settings, "CATGRAM")
