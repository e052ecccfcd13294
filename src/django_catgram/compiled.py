"""Queries the ORM compiles once per shape, then runs as SQL with each request's parameters.

The profile of a list page showed compiling its queries to cost about as much as the rest of the
request, and for a query whose SQL depends only on its shape (a cat by id, the achievements of n
cats) that work is the same on every request. The ORM stays the source of the SQL: the first
request of each shape compiles the query as usual and checks that its parameters are the ones
given, in order.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections, models, router
from django.db.models import QuerySet

# (database alias, shape): the SQL, or None for a query whose values the ORM converts as it
# reads them (run through the ORM each time).
_compiled: dict[tuple[str, Hashable], str | None] = {}


def rows(
    model: type[models.Model],
    shape: Hashable,
    build: Callable[[], QuerySet[Any, tuple[Any, ...]]],
    params: Sequence[Any],
) -> list[tuple[Any, ...]]:
    """The rows of ``build()``, a ``values_list`` query of ``model`` whose SQL ``shape``
    determines and whose parameters are ``params``.

    The ORM's checks of the values in a lookup (an id beyond its column's range matches
    nothing) run only when a shape is compiled: the caller gives values the column can hold.
    """
    alias = router.db_for_read(model)
    key = (alias, shape)
    if key not in _compiled:
        compiler = build().query.get_compiler(using=alias)
        try:
            sql, compiled_params = compiler.as_sql()
        except EmptyResultSet:
            return []
        if list(compiled_params) != list(params):
            raise ValueError(f"{shape!r}: the query's parameters are not the ones given")
        converters = compiler.get_converters([column for column, _, _ in compiler.select])
        _compiled[key] = None if converters else sql
    sql = _compiled[key]
    if sql is None:
        return list(build())
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        found: list[tuple[Any, ...]] = cursor.fetchall()
    return found
