from django.apps import AppConfig
from django.core import checks


class CatgramConfig(AppConfig):
    """The cats API app: models, admin, settings checks and demo-data command."""

    name = "django_catgram"
    label = "catgram"
    verbose_name = "Catgram"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from django_catgram.checks import check_settings
        from django_catgram.counts import forget_counts
        from django_catgram.models import Achievement, Cat

        checks.register(check_settings)
        for model in (Cat, Achievement):
            post_save.connect(forget_counts, sender=model, dispatch_uid=f"catgram-{model}-save")
            post_delete.connect(forget_counts, sender=model, dispatch_uid=f"catgram-{model}-del")
        m2m_changed.connect(
            forget_counts, sender=Cat.achievements.through, dispatch_uid="catgram-links"
        )
