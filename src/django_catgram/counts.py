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

from django.core.cache import BaseCache
from django.core.exceptions import EmptyResultSet
from django.db import transaction
from django.db.models import QuerySet

from django_catgram.caching import CacheUnavailable, cache_guard, try_cache

VERSION_KEY = "catgram:cat-counts-version"
COUNT_TTL = 60


def current_version(backend: BaseCache) -> str | None:
    """The version of the cached counts, made if there is none (None if the cache lost it)."""
    version: str | None = backend.get(VERSION_KEY)
    if version is None:
        backend.add(VERSION_KEY, uuid.uuid4().hex, None)
        version = backend.get(VERSION_KEY)
    return version


def cached_count(queryset: QuerySet[Any, Any]) -> int:
    """``queryset.count()``, from the cache while no cat was written since it was counted.

    While the cache is down, every count comes from the database.
    """
    try:
        sql, params = queryset.order_by().query.sql_with_params()
    except EmptyResultSet:
        return 0
    key = "catgram:cat-count:" + hashlib.sha256(repr((sql, params)).encode()).hexdigest()
    try:
        with cache_guard() as backend:
            found = backend.get_many([VERSION_KEY, key])
            version = found.get(VERSION_KEY) or current_version(backend)
    except CacheUnavailable:
        return queryset.count()
    if key in found and found[key][0] == version:
        cached: int = found[key][1]
        return cached
    count = queryset.count()
    try_cache(lambda backend: backend.set(key, (version, count), COUNT_TTL), None)
    return count


def forget_version() -> None:
    try_cache(lambda backend: backend.delete(VERSION_KEY), None)


def forget_counts(**kwargs: Any) -> None:
    """A signal receiver: every cached count is out of date, now and once the write commits.

    Now, for reads inside the same transaction; again at the commit, since a request counting
    meanwhile (before the write was visible to it) may have cached the old count. Best effort:
    while the cache is down, a write goes on, and the counts cached before the outage may be
    served for up to ``COUNT_TTL`` seconds once it is back.
    """
    if kwargs.get("action", "post_").startswith("pre_"):
        return  # m2m_changed sends pre_add before post_add: one is enough
    forget_version()
    transaction.on_commit(forget_version, robust=True)
