from django.apps import AppConfig
from django.core import checks


class CatgramConfig(AppConfig):
    """The cats API app: models, admin, settings checks and demo-data command."""

    name = "django_catgram"
    label = "catgram"
    verbose_name = "Catgram"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django_catgram.checks import check_settings

        checks.register(check_settings)
