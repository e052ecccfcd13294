"""The cats list's count: kept by the database, or cached while no write could have changed it.

On PostgreSQL and SQLite, the database keeps the counts of the cats of each birth year, in all
and by owner, colour and achievement (``CatCount``, migration 0008): a list filtered by nothing
but years and at most one of those counts with one query of a few of its rows, exact as the
write that changed them commits.

Other counts (a search, two of those filters) are cached under their query with the versions
of the tags they depend on, which the query's own WHERE clause names. An equality such as
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
``catgram_seed``) show in a cached count within ``COUNT_TTL`` seconds.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable, Iterator
from typing import Any

from django.core.exceptions import EmptyResultSet, ValidationError
from django.db import connections, models, transaction
from django.db.models import CharField, QuerySet, Subquery, Sum
from django.db.models.expressions import Col
from django.db.models.functions import Cast
from django.db.models.lookups import Lookup
from django.db.models.sql.constants import LOUTER
from django.db.models.sql.datastructures import Join
from django.db.models.sql.where import AND, WhereNode

from django_catgram import compiled
from django_catgram.caching import CacheUnavailable, cache_guard, try_cache
from django_catgram.models import Achievement, AchievementCat, Cat, CatCount, own_field

COUNT_TTL = 60
# Every count depends on this tag: a write that cannot tell what it changed replaces it.
EVERY_COUNT = "*"
# Every write replaces this tag: a count whose WHERE holds something other than comparisons
# of columns with values depends on it.
ANY_WRITE = "write"


# Where migration 0008 keeps CatCount.
KEPT_BY = {"postgresql", "sqlite"}
BIRTH_YEAR = own_field(Cat, "birth_year")
YEAR_LOOKUPS = {"exact", "gt", "gte", "lt", "lte"}
EVERY_CAT = "the count of every cat"
# The fields whose one value a kept count is of, by its dimension.
DIMENSIONS = {
    own_field(Cat, "owner"): CatCount.Dimension.OWNER.value,
    own_field(Cat, "color"): CatCount.Dimension.COLOR.value,
    own_field(Achievement, "name"): CatCount.Dimension.ACHIEVEMENT.value,
}


def count_cats(queryset: QuerySet[Cat]) -> int:
    """How many cats ``queryset`` has: kept by the database if it keeps this count, else
    ``cached_count``."""
    kept = kept_count(queryset)
    return cached_count(queryset) if kept is None else kept


def kept_count(queryset: QuerySet[Cat]) -> int | None:
    """``queryset``'s count from ``CatCount``, if its only conditions are birth years and at
    most one owner, colour or achievement; else None."""
    query, alias = queryset.query, queryset.db
    conditions = [child for child in query.where.children if isinstance(child, Lookup)]
    if not (
        connections[alias].vendor in KEPT_BY
        and not (query.distinct or query.extra or query.where.negated)
        and query.where.connector == AND
        and len(conditions) == len(query.where.children)
        and None not in lookups(query.where)  # columns compared with values
    ):
        return None
    counts = CatCount.objects.using(alias)
    dimensions = []
    for condition in conditions:
        field, name, value = condition.lhs.target, condition.lookup_name, condition.rhs
        if field == BIRTH_YEAR and name in YEAR_LOOKUPS:
            counts = counts.filter(**{f"birth_year__{name}": value})
        elif field in DIMENSIONS and name == "exact":
            dimensions.append((DIMENSIONS[field], dimension_value(field, value, alias)))
        else:
            return None
    if len(dimensions) > 1:
        return None
    [(dimension, value)] = dimensions or [(CatCount.Dimension.ALL.value, "")]
    joins = [join for join in query.alias_map.values() if isinstance(join, Join)]
    if dimension != CatCount.Dimension.ACHIEVEMENT and not all(map(keeps_rows, joins)):
        return None  # rows of a cat per achievement, not filtered to one achievement
    if value is None:
        return 0

    def total() -> QuerySet[CatCount, tuple[int]]:
        found = counts.filter(dimension=dimension, value=value).values("dimension")
        return found.annotate(total=Sum("cats")).values_list("total")

    # Of every cat, the same SQL on every request: compiled once.
    rows = (
        list(total())
        if conditions
        else compiled.rows(CatCount, EVERY_CAT, total, [dimension, value])
    )
    [(cats,)] = rows or [(0,)]  # no rows: no cats
    return int(cats)


def dimension_value(field: models.Field[Any, Any], value: Any, alias: str) -> Any:
    """The ``CatCount.value`` of ``field`` = ``value``, as the triggers write it (the text of
    the column's value); None if no row can hold ``value``."""
    if field.name == "name":  # an achievement, counted by its id
        found = Achievement.objects.using(alias).filter(name=value).values("pk")
        return Cast(Subquery(found), CharField())
    if isinstance(field, models.ForeignKey):
        field = field.target_field
        try:
            field.run_validators(value)  # an id beyond the column's range
        except ValidationError:
            return None
    return str(field.get_db_prep_value(value, connections[alias], prepared=True))


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
