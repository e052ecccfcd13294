"""Django's cache as something that may be down: a failed call marks it down for a few seconds.

Only rate limits and cached counts live in the cache. A cache that refuses connections or never
answers then costs the requests of one server thread one timeout, not one timeout per call.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar
from weakref import WeakKeyDictionary

from django.core.cache import DEFAULT_CACHE_ALIAS, BaseCache, caches

# How long a cache that failed is left alone before it is tried again, in seconds.
RETRY_AFTER = 5.0

logger = logging.getLogger(__name__)
_down_until: WeakKeyDictionary[BaseCache, float] = WeakKeyDictionary()
T = TypeVar("T")


class CacheUnavailable(Exception):
    """The cache failed, now or a moment ago."""


@contextmanager
def cache_guard() -> Iterator[BaseCache]:
    """Run calls of the default cache; any error of theirs is ``CacheUnavailable``, and so is
    every call for ``RETRY_AFTER`` seconds after one failed."""
    backend = caches[DEFAULT_CACHE_ALIAS]
    if _down_until.get(backend, 0.0) > time.monotonic():
        raise CacheUnavailable("The cache failed a moment ago.")
    try:
        yield backend
    except Exception as error:
        _down_until[backend] = time.monotonic() + RETRY_AFTER
        logger.warning("The cache failed (%r); trying again in %g s.", error, RETRY_AFTER)
        raise CacheUnavailable(str(error)) from error


def try_cache(call: Callable[[BaseCache], T], default: T) -> T:
    """``call(cache)``, or ``default`` while the cache is unavailable."""
    try:
        with cache_guard() as backend:
            return call(backend)
    except CacheUnavailable:
        return default
