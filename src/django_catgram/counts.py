"""Cached counts of the cats list, so that a page does not count a large table each time.

A count is kept in Django's cache under its query, tagged with a version that every write of a
cat, an achievement or a cat's achievements replaces (see ``forget_counts``):
after a write through the API or the ORM, the next page counts afresh, in every server process
that shares the cache. Writes that send no signals (``bulk_create``, ``QuerySet.update``, raw
SQL, ``catgram_seed``) show in the count within ``COUNT_TTL`` seconds.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import transaction
from django.db.models import QuerySet

VERSION_KEY = "catgram:cat-counts-version"
COUNT_TTL = 60


def current_version() -> str:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, None)
        version = cache.get(VERSION_KEY)
    return version


def cached_count(queryset: QuerySet) -> int:
    """``queryset.count()``, from the cache while no cat was written since it was counted."""
    try:
        sql, params = queryset.order_by().query.sql_with_params()
    except EmptyResultSet:
        return 0
    key = "catgram:cat-count:" + hashlib.sha256(repr((sql, params)).encode()).hexdigest()
    found = cache.get_many([VERSION_KEY, key])
    version = found.get(VERSION_KEY) or current_version()
    if key in found and found[key][0] == version:
        return found[key][1]
    count = queryset.count()
    cache.set(key, (version, count), COUNT_TTL)
    return count


def forget_counts(**kwargs: Any) -> None:
    """A signal receiver: every cached count is out of date, now and once the write commits.

    Now, for reads inside the same transaction; again at the commit, since a request counting
    meanwhile (before the write was visible to it) may have cached the old count.
    """
    if kwargs.get("action", "post_").startswith("pre_"):
        return  # m2m_changed sends pre_add before post_add: one is enough
    cache.delete(VERSION_KEY)
    transaction.on_commit(lambda: cache.delete(VERSION_KEY))
