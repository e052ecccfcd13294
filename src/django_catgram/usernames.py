"""Usernames unique in any case, held by the database: each user's folded name is a row of
``Username`` under a unique constraint, written by the user's own save.

The row is written on ``post_save`` of the user model, so every save through the ORM keeps it:
the API's, the admin's, a script's. Inside a transaction (the API's writes and the admin's are
in one) the user's row and its name commit together, and the second of two registrations of
``Dup`` and ``dup`` at the same moment fails on the constraint. ``bulk_create`` and
``QuerySet.update`` send no signal and so keep no name.
"""

from __future__ import annotations

import hashlib
import logging
import unicodedata
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, connections, transaction

from django_catgram.conf import catgram_settings
from django_catgram.models import Username

if TYPE_CHECKING:
    from django.db.models import Model

    from django_catgram.permissions import User

logger = logging.getLogger(__name__)


def folded(username: str) -> str:
    """``username`` as compared with the others: NFKC, then (with ``USERNAME_CASE_INSENSITIVE``)
    full Unicode case folding and NFKC again, so that ``Straße``, ``STRASSE`` and ``ｓｔｒａｓｓｅ``
    are one name on every database."""
    name = unicodedata.normalize("NFKC", username)
    if catgram_settings.USERNAME_CASE_INSENSITIVE:
        name = unicodedata.normalize("NFKC", name.casefold())
    return name


def key(username: str) -> str:
    """What the unique column holds: the digest of the folded name, of one length however long
    the name and its folding grow (``ﬃ`` folds to three letters)."""
    return hashlib.sha256(folded(username).encode("utf-8", "surrogatepass")).hexdigest()


def is_taken(username: str, user: User | None = None) -> bool:
    """Whether another user than ``user`` has ``username`` in any case."""
    others = Username.objects.filter(key=key(username))
    if user is not None:
        others = others.exclude(user_id=user.pk)  # a user may change the case of their own
    return others.exists()


def user_saved(
    sender: type[Model],
    instance: Model,
    created: bool,
    update_fields: frozenset[str] | None,
    using: str,
    **kwargs: Any,
) -> None:
    """Keep the saved user's name row; IntegrityError if another user has the name in any case.

    Outside a transaction Django has committed the user's row already: a new user whose name
    is taken is deleted again before the error goes on.
    """
    field = get_user_model().USERNAME_FIELD
    if update_fields is not None and field not in update_fields:
        return
    name_key = key(getattr(instance, field))
    names = Username.objects.using(using)
    try:
        with transaction.atomic(using=using):
            if created or not names.filter(user_id=instance.pk).update(key=name_key):
                names.create(user_id=instance.pk, key=name_key)
    except IntegrityError:
        if created and not connections[using].in_atomic_block:
            sender._default_manager.using(using).filter(pk=instance.pk).delete()
        raise


def fill(users: Any, names: Any = Username) -> None:
    """Write the name row (of model ``names``) of each user in ``users``, oldest first, on the
    queryset's database, logging each pair whose names are one in any case.

    For users written without the signal: by migration 0009 (with the historical models, which
    know no ``USERNAME_FIELD``: the user model's own names the column), ``catgram_seed``
    (``bulk_create``). Users who share a name in any case keep their names and logins; the
    oldest holds the name.
    """
    holders: dict[str, Any] = {}
    rows = []
    usernames = users.order_by("pk").values_list("pk", get_user_model().USERNAME_FIELD)
    for pk, username in usernames.iterator():
        name_key = key(username)
        if name_key in holders:
            logger.warning(
                "Users %s and %s have the same username in any case: %s keeps it, %s has no "
                "row in catgram_username (rename one of them)",
                holders[name_key],
                pk,
                holders[name_key],
                pk,
            )
            continue
        holders[name_key] = pk
        rows.append(names(user_id=pk, key=name_key))
    names.objects.using(users.db).bulk_create(rows, batch_size=1000)
