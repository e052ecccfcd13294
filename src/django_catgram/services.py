"""Cat and achievement writes: atomic, and leaving no stray file behind when they fail."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from functools import partial
from typing import TypeVar

from django.core.files import File
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Model, prefetch_related_objects
from django.shortcuts import get_object_or_404

from django_catgram import messages
from django_catgram.conditional import Check
from django_catgram.errors import InvalidInput, ServiceUnavailable
from django_catgram.images import EncodedPhoto, thumbnail_path
from django_catgram.models import Achievement, Cat
from django_catgram.schemas import CAT_FIELDS, CatIn

# How often to ask whether a write whose commit failed went through, before keeping its file.
# After a commit that failed, whether it went through is asked this many times, waiting 0.05 s,
# then twice as long each time (1.5 s in all): a database that drops connections now and then
# (a failover, a terminated backend) most often answers again within that.
COMMIT_CHECK_ATTEMPTS = 6
COMMIT_CHECK_FIRST_WAIT = 0.05
IN_DOUBT = (
    "Photo %s kept: the database could not say whether its write committed; catgram_sweep "
    "removes it later if no cat refers to it"
)

logger = logging.getLogger(__name__)
M = TypeVar("M", bound=Model)


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


def locked(row: M, check: Check[M] | None = None) -> M:
    """The row, locked until the transaction ends, after ``check`` (the write's If-Match) passes
    on it; 404 if it was deleted meanwhile.

    Concurrent writes of one cat so apply one after another, each whole; a write that loses a
    race with a delete does not save the cat again, and one whose client read the cat before
    the other write is 412 (if it sent If-Match).
    """
    row = get_object_or_404(type(row)._default_manager.select_for_update(), pk=row.pk)
    if check is not None:
        check(row)
    return row


def write_cat(cat: Cat, body: CatIn, check: Check[Cat] | None = None) -> Cat:
    """Write the fields ``body`` carries (a CatIn or CatPatch) to ``cat`` in one transaction,
    if ``check`` passes on the locked row.

    A new photo and its thumbnail are stored under a new random name; the files they replace
    (or that ``image: None`` removes) are deleted once the transaction commits. If the write
    fails, even half-way through storing a file or at the commit, the new files are deleted
    unless a committed row refers to them, and the database is left as it was.
    """
    sent = body.model_fields_set
    new_files: list[str] = []
    committing = False
    try:
        with transaction.atomic():
            if cat.pk is not None:
                cat = locked(cat, check)
            old_files = photo_files(cat)
            for field in sent.intersection(CAT_FIELDS):
                setattr(cat, field, getattr(body, field))
            if "image" in sent:
                cat.image, cat.thumbnail = store_photo(cat, body.image, new_files)
            cat.save()
            if "achievements" in sent:
                names = [item.achievement_name for item in body.achievements]
                cat.achievements.set(achievements_named(names))
            # Read back inside the transaction: the answer shows this write, even if another
            # request changes or deletes the cat the moment it commits.
            prefetch_related_objects([cat], "achievements")
            if "image" in sent:
                delete_photos_on_commit(old_files)
            committing = True  # what fails from here on fails at the commit
    except BaseException:
        # Before the commit the write was rolled back; at the commit it may have gone through.
        if new_files and not (committing and photo_is_referenced(new_files[0])):
            for name in new_files:
                delete_photo(name)
        raise
    return cat


def photo_files(cat: Cat) -> list[str]:
    """The names of the cat's photo and thumbnail files."""
    return [name for name in (cat.image.name, cat.thumbnail.name) if name]


def store_photo(
    cat: Cat, photo: EncodedPhoto | None, stored: list[str]
) -> tuple[str | None, str | None]:
    """Store ``photo`` and its thumbnail under a new name for ``cat``: the names stored."""
    if photo is None:
        return None, None
    assert photo.photo.name is not None  # encoded_photo names both files
    name = store_file(cat.image.field.generate_filename(cat, photo.photo.name), photo.photo, stored)
    # Named after the photo as stored, which the storage may have changed to a free name.
    return name, store_file(thumbnail_path(name), photo.thumbnail, stored)


def store_file(name: str, file: File[bytes], stored: list[str]) -> str:
    """Store ``file`` as ``name`` (or a free name like it); 503 if the storage fails.

    The name goes into ``stored`` before the file is written, so that a file that fails
    half-way (a full disk, an unwritable folder) is known, and the write removes it.
    """
    stored.append(name)
    field = Cat.image.field
    try:
        stored[-1] = field.storage.save(name, file, max_length=field.max_length)
    except Exception:
        logger.exception("Could not store the photo %s", name)
        raise ServiceUnavailable(messages.PHOTO_NOT_STORED) from None
    return stored[-1]


def delete_photo(name: str) -> None:
    """Delete a photo or thumbnail file, best effort: a file that cannot be deleted is only
    logged, and ``manage.py catgram_sweep`` removes it later."""
    try:
        Cat.image.field.storage.delete(name)
    except Exception:
        logger.exception("Could not delete the photo %s; catgram_sweep removes it later", name)


def delete_photos_on_commit(names: Iterable[str]) -> None:
    for name in names:
        transaction.on_commit(partial(delete_photo, name), robust=True)


def photo_is_referenced(name: str) -> bool:
    """Whether a committed cat refers to the photo ``name``; True when that cannot be known.

    After a failed commit (a lost connection) the write may or may not have committed: ask
    again on a new connection, and keep the file while in doubt.
    """
    connection = transaction.get_connection()
    for attempt in range(COMMIT_CHECK_ATTEMPTS):
        try:
            return Cat.objects.filter(image=name).exists()
        except DatabaseError:
            if connection.in_atomic_block:
                return True  # the host's own transaction decides, later
            connection.close()
            if attempt + 1 < COMMIT_CHECK_ATTEMPTS:
                time.sleep(COMMIT_CHECK_FIRST_WAIT * 2**attempt)
    logger.error(IN_DOUBT, name)
    return True


def delete_cat(cat: Cat, check: Check[Cat] | None = None) -> Cat:
    """Delete the cat, and its files once the deletion commits; 404 if it is gone already.

    The cat deleted, as it was (Django clears a deleted instance's pk: it is set again)."""
    with transaction.atomic():
        cat = locked(cat, check)
        pk, files = cat.pk, photo_files(cat)
        cat.delete()
        delete_photos_on_commit(files)
    cat.pk = pk
    return cat


def write_achievement(
    achievement: Achievement, name: str | None, check: Check[Achievement] | None = None
) -> Achievement:
    """Save the achievement under ``name`` if ``check`` passes on its locked row; a name taken
    already is 400 on ``achievement_name``."""
    try:
        with transaction.atomic():
            if check is not None:
                achievement = locked(achievement, check)
            if name is not None:
                achievement.name = name
            achievement.save()
    except IntegrityError:
        raise InvalidInput.on("achievement_name", messages.ACHIEVEMENT_EXISTS) from None
    return achievement


def delete_achievement(achievement: Achievement, check: Check[Achievement] | None = None) -> None:
    """Delete the achievement (and its links to cats) if ``check`` passes on its locked row."""
    with transaction.atomic():
        if check is not None:
            achievement = locked(achievement, check)
        achievement.delete()
