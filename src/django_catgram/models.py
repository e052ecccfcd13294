"""Cats, their achievements, the link between them, their counts, login sessions, and the
usernames as compared."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models

from django_catgram.messages import _

if TYPE_CHECKING:
    from typing_extensions import Self

MIN_BIRTH_YEAR = 1900
# Where the storage keeps the photos (``catgram_sweep`` looks there for files nobody refers to).
PHOTO_FOLDER = "cats/images/"


def own_field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    """``model``'s field ``name``, not a relation from another model (``get_field`` finds those
    too)."""
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field):
        raise FieldDoesNotExist(f"{model._meta.label} has no field {name!r} of its own")
    return field


def cat_image_path(instance: Cat, filename: str) -> str:
    """Store each photo under ``PHOTO_FOLDER`` with a random name, keeping the extension."""
    return f"{PHOTO_FOLDER}{uuid.uuid4().hex}{PurePath(filename).suffix.lower()}"


class RemembersValues(models.Model):
    """Keeps the column values a row was read with, so that a save can tell what it changed
    (``counts.changed_tags``)."""

    loaded_values: dict[str, Any]

    class Meta:
        abstract = True

    @classmethod
    def from_db(
        cls, db: str | None, field_names: Collection[str], values: Collection[Any], **kwargs: Any
    ) -> Self:
        instance = super().from_db(db, field_names, values, **kwargs)
        instance.loaded_values = {
            name: value
            for name, value in zip(field_names, values, strict=True)
            if value is not models.DEFERRED
        }
        return instance

    def remember_values(self) -> None:
        """The row as saved is what the next save compares with."""
        self.loaded_values = {
            field.attname: getattr(self, field.attname) for field in self._meta.concrete_fields
        }


class Achievement(RemembersValues):
    """Something a cat can do; names are unique and shared by all cats."""

    name = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Cat(RemembersValues):
    """A cat card kept by its owner."""

    name = models.CharField(max_length=16)
    color = models.CharField(max_length=32, help_text=_("A CSS colour name, such as darkgray."))
    birth_year = models.PositiveSmallIntegerField()
    # No index of its own: the (owner, name, id) index below serves lookups by owner too.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cats", db_index=False
    )
    image = models.ImageField(upload_to=cat_image_path, blank=True, null=True, default=None)
    # Made from the photo when it is stored, named after it (``images.thumbnail_path``),
    # deleted with it.
    thumbnail = models.ImageField(
        upload_to=cat_image_path, blank=True, null=True, default=None, editable=False
    )
    achievements = models.ManyToManyField(
        Achievement, through="AchievementCat", related_name="cats", blank=True
    )

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["name", "id"], name="catgram_cat_name_id"),
            models.Index(fields=["owner", "name", "id"], name="catgram_cat_owner_name_id"),
            # The colour filter in the list order, and the birth_year ordering (both ways).
            models.Index(fields=["color", "name", "id"], name="catgram_cat_color_name_id"),
            models.Index(fields=["birth_year", "id"], name="catgram_cat_birth_year_id"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(birth_year__gte=MIN_BIRTH_YEAR),
                name="catgram_cat_birth_year_gte_1900",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class AchievementCat(models.Model):
    """One achievement of one cat."""

    # No index of their own: the unique (cat, achievement) pair serves lookups by cat, and the
    # (achievement, cat) index lookups by achievement, for which it alone holds every column
    # (a count of an achievement's cats or a filter by one reads no table row).
    achievement = models.ForeignKey(Achievement, on_delete=models.CASCADE, db_index=False)
    cat = models.ForeignKey(Cat, on_delete=models.CASCADE, db_index=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["cat", "achievement"], name="catgram_achievementcat_unique_pair"
            ),
        ]
        indexes = [
            models.Index(fields=["achievement", "cat"], name="catgram_achievementcat_by_ach"),
        ]

    def __str__(self) -> str:
        return f"{self.cat} – {self.achievement}"


class CatCount(models.Model):
    """How many cats there are of one birth year: in all, of one owner, of one colour, or with
    one achievement, kept by database triggers as the cats and their links are written
    (migration 0008), so that the cats list counts them exactly without counting the cats.

    Triggers rather than signals: ``bulk_create``, ``QuerySet.update``, cascades and raw SQL
    keep the counts too. Only on PostgreSQL and SQLite; elsewhere the table stays empty.
    """

    class Dimension(models.TextChoices):
        ALL = "all"  # value ""
        OWNER = "owner"  # value: the owner's primary key, as text
        COLOR = "color"  # value: the colour
        ACHIEVEMENT = "achievement"  # value: the achievement's id, as text

    dimension = models.CharField(max_length=16, choices=Dimension.choices)
    value = models.CharField(max_length=64, blank=True)
    birth_year = models.PositiveSmallIntegerField()
    cats = models.BigIntegerField()

    class Meta:
        constraints = [
            # Also the index of the lookups: one value's years, or a range of them.
            models.UniqueConstraint(
                fields=["dimension", "value", "birth_year"], name="catgram_catcount_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dimension} {self.value} {self.birth_year}: {self.cats}"


class LoginSession(models.Model):
    """One login and the refreshes that continue it: its tokens work while the row exists.

    Ending a session (a logout, ``auth/sessions/{id}/``, ``auth/logout_all``) deletes the row,
    which ends its access and refresh tokens at once; the token check reads the row in the
    query that reads the user.
    """

    # No index of its own: the (user, last_used) one serves lookups by user.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="catgram_sessions",
        db_index=False,
    )
    created = models.DateTimeField()
    # The login, or the last refresh (a request with an access token does not count).
    last_used = models.DateTimeField()
    # When its newest refresh token expires: the session is over then, and swept later.
    expires_at = models.DateTimeField(db_index=True)
    user_agent = models.CharField(max_length=256, blank=True)
    ip = models.GenericIPAddressField(null=True)

    class Meta:
        indexes = [
            models.Index(fields=["user", "-last_used"], name="catgram_session_user_last_used")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} since {self.created:%Y-%m-%d %H:%M}"


class Username(models.Model):
    """A user's username as compared with the others (``usernames.key``: folded in case and
    width), under a unique constraint: two users cannot have one name in any case, even when
    both are written at the same moment. Kept by the user's save (``usernames.user_saved``)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="catgram_username",
    )
    # The SHA-256 of the folded name, in hex.
    key = models.CharField(max_length=64, unique=True)

    def __str__(self) -> str:
        return f"{self.user_id}: {self.key[:12]}"
