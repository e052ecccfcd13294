"""The cat and achievement objects of API.md, built as plain dicts.

A page of cats costs one query for its rows and one for all their achievements, and no model
instances: the profile of the list showed Django's per-object prefetch machinery and Ninja's
attribute getters to be most of its time.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from django_catgram import compiled
from django_catgram.counts import whole_table
from django_catgram.filters import in_page_order
from django_catgram.models import AchievementCat, Cat
from django_catgram.schemas import CAT_FIELDS

# The columns a cat object is made from.
CAT_COLUMNS = ("id", *CAT_FIELDS, "owner_id", "image", "thumbnail")


def achievement_object(achievement_id: int, name: str) -> dict[str, Any]:
    """The achievement object of API.md, from its id and name (a row or a model's)."""
    return {"id": achievement_id, "achievement_name": name}


def achievements_by_cat(cat_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Each cat's achievements, by name, in one query."""
    found: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if cat_ids:
        links = compiled.rows(
            AchievementCat,
            ("achievements of cats", len(cat_ids)),
            lambda: (
                AchievementCat.objects.filter(cat_id__in=cat_ids)
                .order_by("achievement__name")
                .values_list("cat_id", "achievement_id", "achievement__name")
            ),
            cat_ids,
        )
        for cat_id, achievement_id, name in links:
            found[cat_id].append(achievement_object(achievement_id, name))
    return found


def cat_object(
    request: HttpRequest, row: Mapping[str, Any], achievements: list[dict[str, Any]], year: int
) -> dict[str, Any]:
    """A cat object from a row of CAT_COLUMNS (whose other keys CatOut leaves out)."""
    image, image_url = file_urls(request, row["image"])
    thumbnail, thumbnail_url = file_urls(request, row["thumbnail"])
    return {
        **row,
        "achievements": achievements,
        "owner": row["owner_id"],
        "age": year - row["birth_year"],
        "image": image,
        "image_url": image_url,
        "thumbnail": thumbnail,
        "thumbnail_url": thumbnail_url,
    }


def file_urls(request: HttpRequest, name: str | None) -> tuple[str | None, str | None]:
    """The absolute URL of a stored file, and its URL as the storage gives it (None, None
    without a file)."""
    if not name:
        return None, None
    url = Cat.image.field.storage.url(name)
    return request.build_absolute_uri(url), url


def cat_rows(queryset: QuerySet[Cat]) -> QuerySet[Cat, dict[str, Any]]:
    """``queryset`` of cats as rows of the columns a cat object needs."""
    rows: QuerySet[Cat, dict[str, Any]] = queryset.values(*CAT_COLUMNS)
    return rows


def cat_page(queryset: QuerySet[Cat], low: int, high: int, count: int) -> list[dict[str, Any]]:
    """Rows ``low`` to ``high`` of ``cat_rows(queryset)`` (of ``count``); of every cat (filtered
    by nothing but an ordering) by SQL the ORM compiled once per ordering."""
    if not whole_table(queryset):
        return list(cat_rows(in_page_order(queryset, count))[low:high])
    found = compiled.rows(
        Cat,
        ("a page of every cat", tuple(queryset.query.order_by)),
        lambda: queryset.values_list(*CAT_COLUMNS),
        [],
        limits=(low, high),
    )
    return [dict(zip(CAT_COLUMNS, row, strict=True)) for row in found]


def cat_objects(request: HttpRequest, rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Cat objects for rows of ``cat_rows``."""
    rows = list(rows)
    achievements = achievements_by_cat([row["id"] for row in rows])
    year = timezone.localdate().year
    return [cat_object(request, row, achievements[row["id"]], year) for row in rows]


def cat_object_by_id(request: HttpRequest, cat_id: int) -> dict[str, Any] | None:
    """One cat's object, with its achievements joined in the same query; None if none.

    ``cat_id`` is within the column's range (the path's converter, ``ids.CatId``, checks it,
    which ``compiled.rows`` would not)."""
    rows = compiled.rows(
        Cat,
        "a cat with its achievements",
        lambda: (
            Cat.objects.filter(pk=cat_id)
            .order_by("achievements__name")
            .values_list(*CAT_COLUMNS, "achievements__id", "achievements__name")
        ),
        [cat_id],
    )
    if not rows:
        return None
    achievements = [
        achievement_object(achievement_id, name)
        for *_, achievement_id, name in rows
        if achievement_id is not None
    ]
    row = dict(zip(CAT_COLUMNS, rows[0], strict=False))
    return cat_object(request, row, achievements, timezone.localdate().year)


def written_cat_object(request: HttpRequest, cat: Cat) -> dict[str, Any]:
    """The object of a cat just written, whose achievements were read back with it."""
    row = {column: getattr(cat, column) for column in CAT_COLUMNS}
    row["image"], row["thumbnail"] = cat.image.name, cat.thumbnail.name
    achievements = [achievement_object(item.pk, item.name) for item in cat.achievements.all()]
    return cat_object(request, row, achievements, timezone.localdate().year)
