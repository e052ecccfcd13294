"""Cached counts of the cats list, kept while no write could have changed them.

A large table is not counted on every page: a count is cached under its query with the versions
of the tags it depends on, which the query's own WHERE clause names. An equality such as
``color = 'red'`` depends on the tag ``catgram_cat.color='red'``, any other comparison of a
column (a range, a search) on the column's tag, and a query of the whole table on its rows (one
that counts rows a join or DISTINCT makes, without a WHERE, on every write).
A write replaces the versions of the tags it changes, read off the rows it writes: a created or
deleted cat changes the rows and each of its columns' values; a changed cat the columns whose
values differ (both the old and the new value); a cat's achievements, a renamed or deleted
achievement, the achievements' names. So renaming a cat renews the searches but keeps the
unfiltered count and every colour's, and a new red cat keeps the blue cats' count.

The versions are replaced at the write and again at its commit (a request counting meanwhile,
before the write was visible to it, may have cached the old count), in every server process that
shares the cache. Writes that send no signals (``bulk_create``, ``QuerySet.update``, raw SQL,
``catgram_seed``) show in the count within ``COUNT_TTL`` seconds.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable, Iterator
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import models, transaction
from django.db.models import QuerySet
from django.db.models.expressions import Col
from django.db.models.lookups import Lookup
from django.db.models.sql.constants import LOUTER
from django.db.models.sql.datastructures import Join
from django.db.models.sql.where import WhereNode

from django_catgram.caching import CacheUnavailable, cache_guard, try_cache
from django_catgram.models import Achievement, AchievementCat, Cat, own_field

COUNT_TTL = 60
# Every count depends on this tag: a write that cannot tell what it changed replaces it.
EVERY_COUNT = "*"
# Every write replaces this tag: a count whose WHERE holds something other than comparisons
# of columns with values depends on it.
ANY_WRITE = "write"


def rows_tag(model: type[models.Model]) -> str:
    return model._meta.db_table


def column_tag(field: models.Field[Any, Any]) -> str:
    return f"{field.model._meta.db_table}.{field.column}"


def value_tag(field: models.Field[Any, Any], value: Any) -> str:
    return f"{column_tag(field)}={value!r}"


def query_tags(queryset: QuerySet[Any, Any]) -> set[str]:
    """The tags whose writes may change ``queryset``'s count."""
    tags = {EVERY_COUNT}
    if whole_table(queryset):
        return tags | {rows_tag(queryset.model)}
    if not queryset.query.where:
        tags.add(ANY_WRITE)  # counts rows that a join or DISTINCT makes: of no column alone
    for lookup in lookups(queryset.query.where):
        if lookup is None:
            tags.add(ANY_WRITE)
        elif lookup.lookup_name == "exact":
            tags.add(value_tag(lookup.lhs.target, lookup.rhs))
        else:
            tags.add(column_tag(lookup.lhs.target))
    return tags


def lookups(node: WhereNode) -> Iterator[Lookup[Any] | None]:
    """The comparisons of a column with a value under ``node``; None for anything else."""
    for child in node.children:
        if isinstance(child, WhereNode):
            yield from lookups(child)
        elif (
            isinstance(child, Lookup)
            and isinstance(child.lhs, Col)
            and not hasattr(child.rhs, "resolve_expression")
        ):
            yield child
        else:
            yield None


def whole_table(queryset: QuerySet[Any, Any]) -> bool:
    """Whether ``queryset`` counts every row of its table, once each."""
    query = queryset.query
    return not (query.where or query.distinct or query.extra) and all(
        keeps_rows(join) for join in query.alias_map.values() if isinstance(join, Join)
    )


def keeps_rows(join: Join) -> bool:
    """Whether ``join`` gives each row exactly one: a foreign key's, never null or outer."""
    forward = isinstance(join.join_field, models.ForeignKey)
    return forward and (join.join_type == LOUTER or not join.nullable)


def tag_key(tag: str) -> str:
    return "catgram:count-tag:" + hashlib.sha256(tag.encode()).hexdigest()[:40]


def cached_count(queryset: QuerySet[Any, Any]) -> int:
    """``queryset.count()``, from the cache while no write changed what it depends on.

    While the cache is down, every count comes from the database.
    """
    if whole_table(queryset):
        shape: object = queryset.model._meta.db_table  # not compiled: the same on every request
    else:
        try:
            shape = queryset.order_by().query.sql_with_params()
        except EmptyResultSet:
            return 0
    key = "catgram:cat-count:" + hashlib.sha256(repr(shape).encode()).hexdigest()
    tag_keys = sorted(tag_key(tag) for tag in query_tags(queryset))
    try:
        with cache_guard() as backend:
            found = backend.get_many([*tag_keys, key])
            missing = [tag for tag in tag_keys if tag not in found]
            if missing:
                for tag in missing:
                    backend.add(tag, uuid.uuid4().hex, None)
                found |= backend.get_many(missing)
    except CacheUnavailable:
        return queryset.count()
    versions = tuple(found.get(tag) for tag in tag_keys)
    if key in found and found[key][0] == versions:
        cached: int = found[key][1]
        return cached
    count = queryset.count()
    if None not in versions:
        try_cache(lambda backend: backend.set(key, (versions, count), COUNT_TTL), None)
    return count


def forget(tags: Iterable[str]) -> None:
    """The counts that depend on ``tags`` are out of date, now and once the write commits.

    Now, for reads inside the same transaction; again at the commit, since a request counting
    meanwhile (before the write was visible to it) may have cached the old count. Best effort:
    while the cache is down, a write goes on, and the counts cached before the outage may be
    served for up to ``COUNT_TTL`` seconds once it is back.
    """
    keys = [tag_key(tag) for tag in {ANY_WRITE, *tags}]

    def delete() -> None:
        try_cache(lambda backend: backend.delete_many(keys), None)

    delete()
    transaction.on_commit(delete, robust=True)


def row_tags(instance: models.Model, values: dict[str, Any] | None = None) -> set[str]:
    """The tags of ``instance``'s columns, with the ``values`` given (attname: value) or its own."""
    tags = set()
    for field in instance._meta.concrete_fields:
        if values is None or field.attname in values:
            value = getattr(instance, field.attname) if values is None else values[field.attname]
            tags |= {column_tag(field), value_tag(field, field.get_prep_value(value))}
    return tags


def changed_tags(instance: models.Model) -> set[str]:
    """The tags a save of ``instance`` changes: of its columns whose values differ from those it
    was read with, old and new; every count's if it was not read whole from the database."""
    loaded: dict[str, Any] | None = getattr(instance, "loaded_values", None)
    fields = instance._meta.concrete_fields
    if loaded is None or any(field.attname not in loaded for field in fields):
        return {EVERY_COUNT}
    old, new = {}, {}
    for field in fields:
        value = getattr(instance, field.attname)
        if field.get_prep_value(value) != field.get_prep_value(loaded[field.attname]):
            old[field.attname], new[field.attname] = loaded[field.attname], value
    return row_tags(instance, old) | row_tags(instance, new)


def link_tags(cat_ids: Iterable[int], achievement_ids: Iterable[int]) -> set[str]:
    """The tags of the links between these cats and these achievements (their rows' values)."""
    tags = set()
    for name, values in (("cat", cat_ids), ("achievement", achievement_ids)):
        field = own_field(AchievementCat, name)
        tags |= {column_tag(field), *(value_tag(field, value) for value in values)}
    return tags


def achievement_tags(achievements: Iterable[Achievement]) -> set[str]:
    tags: set[str] = set()
    for achievement in achievements:
        tags |= row_tags(achievement)
    return tags


# Signal receivers (connected in apps.py).


def cat_saved(instance: Cat, created: bool, **kwargs: Any) -> None:
    forget({rows_tag(Cat), *row_tags(instance)} if created else changed_tags(instance))
    instance.remember_values()


def cat_deleting(instance: Cat, **kwargs: Any) -> None:
    """Before the delete, while its links (deleted with it) still name its achievements."""
    achievements = list(instance.achievements.all())
    forget(
        {
            rows_tag(Cat),
            *row_tags(instance),
            *achievement_tags(achievements),
            *link_tags([instance.pk], [achievement.pk for achievement in achievements]),
        }
    )


def achievement_saved(instance: Achievement, created: bool, **kwargs: Any) -> None:
    # A new achievement has no cats yet.
    forget(set() if created else changed_tags(instance))
    instance.remember_values()


def achievement_deleting(instance: Achievement, **kwargs: Any) -> None:
    forget(row_tags(instance) | link_tags([], [instance.pk]))


def links_changed(
    instance: Cat | Achievement, action: str, reverse: bool, pk_set: set[int] | None, **kwargs: Any
) -> None:
    """A cat's achievements (or an achievement's cats) were added, removed or cleared."""
    if action not in ("post_add", "post_remove", "pre_clear"):
        return  # the pre_ of add and remove, and post_clear, would say the same again
    if not reverse:
        assert isinstance(instance, Cat)
        achievements = instance.achievements.all()
        if pk_set is not None:
            achievements = Achievement.objects.filter(pk__in=pk_set)
        found = list(achievements)
        forget(achievement_tags(found) | link_tags([instance.pk], [a.pk for a in found]))
    else:
        assert isinstance(instance, Achievement)
        cat_ids = pk_set if pk_set is not None else instance.cats.values_list("pk", flat=True)
        forget(achievement_tags([instance]) | link_tags(cat_ids, [instance.pk]))
