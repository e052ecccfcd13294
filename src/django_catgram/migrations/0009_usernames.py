"""Usernames unique in any case (``Username``), filled from the users there are.

Users already there whose names are one in any case keep them (and their logins): the oldest
holds the name, and each clash is logged as a warning, for an administrator to rename one.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def fill(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    from django_catgram.usernames import fill

    users = apps.get_model(settings.AUTH_USER_MODEL)._default_manager
    fill(users.using(schema_editor.connection.alias), apps.get_model("catgram", "Username"))


class Migration(migrations.Migration):
    dependencies = [
        ("catgram", "0008_cat_counts"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Username",
            fields=[
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="catgram_username",
                        serialize=False,
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                ("key", models.CharField(max_length=64, unique=True)),
            ],
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
