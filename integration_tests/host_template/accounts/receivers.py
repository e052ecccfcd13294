"""The host's receivers of django-catgram's signals: a user the API registers gets a name."""

from django.dispatch import receiver

from django_catgram.signals import user_registered


@receiver(user_registered)
def name_the_new_user(sender, user, request, **kwargs):
    user.display_name = user.email.partition("@")[0]  # a field of the site's own user model
    user.save(update_fields=["display_name"])
