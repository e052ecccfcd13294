"""Queries the ORM compiles once per shape, then runs as SQL with each request's parameters.

The profile of a list page showed compiling its queries to cost about as much as the rest of the
request, and for a query whose SQL depends only on its shape (a cat by id, the achievements of n
cats) that work is the same on every request. The ORM stays the source of the SQL: the first
request of each shape compiles the query as usual and checks that its parameters are the ones
given, in order.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections, models, router
from django.db.models import QuerySet
from django.db.models.sql import Query


@dataclass(frozen=True)
class Compiled:
    """A query's SQL (None: read through the ORM), and the converters the ORM applies to its
    values as it reads them (on SQLite a boolean's 0 or 1, a datetime's text)."""

    query: Query
    sql: str | None
    converters: dict[int, tuple[list[Any], Any]]


# (database alias, shape): its query compiled.
_compiled: dict[tuple[str, Hashable], Compiled] = {}


def rows(
    model: type[models.Model],
    shape: Hashable,
    build: Callable[[], QuerySet[Any, tuple[Any, ...]]],
    params: Sequence[Any],
    limits: tuple[int, int] | None = None,
) -> list[tuple[Any, ...]]:
    """The rows of ``build()``, a ``values_list`` query of ``model`` whose SQL ``shape``
    determines and whose parameters are ``params``, with the values the ORM would give; with
    ``limits`` (low, high), those of ``build()[low:high]``.

    The ORM's checks of the values in a lookup (an id beyond its column's range matches
    nothing) run only when a shape is compiled: the caller gives values the column can hold.
    """
    alias = router.db_for_read(model)
    key = (alias, shape)
    if limits and limits[0] >= limits[1]:
        return []
    if key not in _compiled:
        query = build().query
        compiler = query.get_compiler(using=alias)
        try:
            sql, compiled_params = compiler.as_sql()
        except EmptyResultSet:
            return []
        if list(compiled_params) != list(params):
            raise ValueError(f"{shape!r}: the query's parameters are not the ones given")
        if limits:
            sliced, _ = build()[slice(*limits)].query.get_compiler(using=alias).as_sql()
            if sliced != limited(sql, alias, limits):
                sql = None  # a database that writes a slice otherwise: read through the ORM
        converters = compiler.get_converters([column for column, _, _ in compiler.select])
        _compiled[key] = Compiled(query, sql, converters)
    found = _compiled[key]
    if found.sql is None:
        return list(build()[slice(*limits)] if limits else build())
    with connections[alias].cursor() as cursor:
        cursor.execute(limited(found.sql, alias, limits) if limits else found.sql, params)
        fetched: list[tuple[Any, ...]] = cursor.fetchall()
    if not found.converters:
        return fetched
    # A compiler of this thread's connection, to convert as the ORM's own would.
    compiler = found.query.get_compiler(using=alias)
    return [tuple(row) for row in compiler.apply_converters(fetched, found.converters)]


def limited(sql: str, alias: str, limits: tuple[int, int]) -> str:
    """``sql`` limited to its rows low to high, as the ORM writes a slice of a query."""
    return f"{sql} {connections[alias].ops.limit_offset_sql(*limits)}"
