from django.apps import AppConfig
from django.core import checks


class CatgramConfig(AppConfig):
    """The cats API app: models, admin, settings checks and demo-data command."""

    name = "django_catgram"
    label = "catgram"
    verbose_name = "Catgram"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.db.models.signals import m2m_changed, post_save, pre_delete

        from django_catgram import counts, usernames
        from django_catgram.checks import check_settings
        from django_catgram.models import Achievement, Cat

        checks.register(check_settings)
        for model, saved, deleting in (
            (Cat, counts.cat_saved, counts.cat_deleting),
            (Achievement, counts.achievement_saved, counts.achievement_deleting),
        ):
            post_save.connect(saved, sender=model, dispatch_uid=f"catgram-{model}-save")
            pre_delete.connect(deleting, sender=model, dispatch_uid=f"catgram-{model}-del")
        m2m_changed.connect(
            counts.links_changed, sender=Cat.achievements.through, dispatch_uid="catgram-links"
        )
        post_save.connect(
            usernames.user_saved, sender=get_user_model(), dispatch_uid="catgram-usernames"
        )
