"""Cat and achievement writes: atomic, and leaving no stray file behind when they fail."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from ninja.errors import AuthorizationError

from django_catgram.errors import InvalidInput
from django_catgram.models import Achievement, Cat

ACHIEVEMENT_EXISTS = "achievement with this achievement name already exists."


def achievements_named(names: Iterable[str]) -> list[Achievement]:
    """The achievements of these names, created where missing; each name counts once.

    Safe when requests create the same new name at once: the unique name makes the insert of a
    name that exists (or is being inserted) a no-op rather than an error or a duplicate.
    """
    unique = list(dict.fromkeys(names))
    if not unique:
        return []
    Achievement.objects.bulk_create(
        [Achievement(name=name) for name in unique], ignore_conflicts=True
    )
    return list(Achievement.objects.filter(name__in=unique))


def check_may_change(request: HttpRequest, cat: Cat) -> None:
    """Only the owner, or staff, may change or delete a cat: 403 for anyone else."""
    user: AbstractBaseUser = request.user  # type: ignore[assignment]
    if cat.owner_id != user.pk and not user.is_staff:
        raise AuthorizationError()


def write_cat(cat: Cat, data: dict[str, Any]) -> Cat:
    """Write the keys of ``data`` (validated CatIn/CatPatch fields) to ``cat`` in one transaction.

    A new photo is stored under a random name; the photo it replaces (or that ``image: None``
    removes) is deleted once the transaction commits. If anything fails, the new file is deleted
    and the database is left as it was.
    """
    old_image = cat.image.name if cat.image else None
    new_image = None
    try:
        with transaction.atomic():
            for field in ("name", "color", "birth_year"):
                if field in data:
                    setattr(cat, field, data[field])
            if "image" in data:
                if data["image"] is None:
                    cat.image = None
                else:
                    cat.image.save(data["image"].name, data["image"], save=False)
                    new_image = cat.image.name
            cat.save()
            if "achievements" in data:
                names = [item["achievement_name"] for item in data["achievements"]]
                cat.achievements.set(achievements_named(names))
            if "image" in data and old_image:
                transaction.on_commit(partial(cat.image.storage.delete, old_image))
    except BaseException:
        if new_image:
            cat.image.storage.delete(new_image)
        raise
    return cat


def delete_cat(cat: Cat) -> None:
    """Delete the cat, and its photo once the deletion commits."""
    image = cat.image.name if cat.image else None
    with transaction.atomic():
        cat.delete()
        if image:
            transaction.on_commit(partial(cat.image.storage.delete, image))


def write_achievement(achievement: Achievement, name: str | None) -> Achievement:
    """Save the achievement under ``name``; a name taken already is 400 on ``achievement_name``."""
    if name is not None:
        achievement.name = name
    try:
        with transaction.atomic():
            achievement.save()
    except IntegrityError:
        raise InvalidInput.on("achievement_name", ACHIEVEMENT_EXISTS) from None
    return achievement
