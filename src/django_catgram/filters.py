"""The cats list's query parameters, as a django-filter FilterSet."""

from __future__ import annotations

import re
from typing import Any, cast

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db import connections
from django.db.models import QuerySet, Value
from django.db.models.functions import Concat
from django.http import HttpRequest
from ninja import Schema
from pydantic import Field, create_model

from django_catgram import messages
from django_catgram.counts import lookups
from django_catgram.errors import InvalidInput
from django_catgram.fields import css_color_name
from django_catgram.ids import parse_id
from django_catgram.messages import _
from django_catgram.models import Cat
from django_catgram.permissions import caller

ORDERINGS = ["name", "birth_year", "id"]


class OwnerField(forms.CharField):
    """A user id (``ids.parse_id``: " 1" is none), or ``me``."""

    def __init__(self, **options: Any) -> None:
        super().__init__(strip=False, **options)

    def clean(self, value: Any) -> str | int | None:
        value = super().clean(value)
        if value in ("", None) or value == "me":
            return value or None
        pk = parse_id(value, get_user_model())
        if pk is None:
            raise forms.ValidationError(messages.USER_ID_OR_ME)
        return pk


class ColorField(forms.CharField):
    """A CSS colour name or hex code, cleaned to the name that is stored."""

    def clean(self, value: Any) -> str | None:
        value = super().clean(value)
        if not value:
            return None
        try:
            return css_color_name(value)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None


class OwnerFilter(django_filters.Filter):
    field_class = OwnerField


class ColorFilter(django_filters.Filter):
    field_class = ColorField


class YearFilter(django_filters.Filter):
    field_class = forms.IntegerField


class CatFilter(django_filters.FilterSet):
    """Filters of ``GET cats/``; an invalid value is 400 on its parameter."""

    owner = OwnerFilter(method="filter_owner", label=_("The owner's user id, or `me`."))
    color = ColorFilter(label=_("A CSS colour name or hex code."))
    birth_year = YearFilter(label=_("A birth year."))
    birth_year_min = YearFilter(
        field_name="birth_year", lookup_expr="gte", label=_("Born in this year or later.")
    )
    birth_year_max = YearFilter(
        field_name="birth_year", lookup_expr="lte", label=_("Born in this year or earlier.")
    )
    achievement = django_filters.CharFilter(
        field_name="achievements__name", label=_("Has the achievement of this name.")
    )
    search = django_filters.CharFilter(
        field_name="name", lookup_expr="icontains", label=_("Name contains (any case).")
    )
    ordering = django_filters.ChoiceFilter(
        choices=[(f"{sign}{field}", f"{sign}{field}") for field in ORDERINGS for sign in ("", "-")],
        method="filter_ordering",
        label=_("name, birth_year or id; a leading - reverses."),
    )

    # filter_cats always gives the request (FilterSet's own may be None).
    request: HttpRequest

    class Meta:
        model = Cat
        fields: list[str] = []

    def filter_owner(self, queryset: QuerySet[Cat], name: str, value: str | int) -> QuerySet[Cat]:
        return queryset.filter(owner=caller(self.request).pk if value == "me" else cast(int, value))

    def filter_ordering(self, queryset: QuerySet[Cat], name: str, value: str) -> QuerySet[Cat]:
        # The id breaks ties, so that pages never repeat or skip a cat.
        return queryset.order_by(value, "-id" if value.startswith("-") else "id")


def filter_cats(request: HttpRequest, queryset: QuerySet[Cat]) -> QuerySet[Cat]:
    """``queryset`` filtered by the request's query parameters; 400 on an invalid one."""
    if not any(name in request.GET for name in CatFilter.base_filters):
        return queryset  # building a FilterSet and its form is most of a plain list's cost
    filterset = CatFilter(request.GET, queryset=queryset, request=request)
    if not filterset.is_valid():
        raise InvalidInput({field: list(errors) for field, errors in filterset.errors.items()})
    return filterset.qs


# A run of characters that gives pg_trgm at least one trigram of the term.
TRIGRAM = re.compile(r"\w{3}")
# The most matches worth finding first: their rows cost about 6 ms at 1,000,000 cats.
MOST_FOUND_FIRST = 10_000


def in_page_order(queryset: QuerySet[Cat], count: int) -> QuerySet[Cat]:
    """``queryset`` (of ``count`` cats) in its order; for a search on PostgreSQL with a trigram
    and few matches, by an expression that no index of the names holds, so that the database
    finds the matches through the trigram index (migration 0006), then sorts them.

    Else the planner walks the index of the names and filters it, taking the matches as spread
    evenly through it, where the names that contain a term sort together: at 1,000,000 cats,
    the 5,000 matches of "ska 12" (Vaskas, last but one) cost a walk of 580 ms, found first 11.
    More matches are found early in the walk unless they all sort late (the Toms: 250-500 ms,
    found first 57 ms); finding them first would cost every common term that (Bars: 1 ms).
    """
    if count > MOST_FOUND_FIRST or not searched_by_trigrams(queryset):
        return queryset
    return queryset.order_by(*(unindexed(term) for term in queryset.query.order_by))


def searched_by_trigrams(queryset: QuerySet[Cat]) -> bool:
    search = CatFilter.base_filters["search"]
    return connections[queryset.db].vendor == "postgresql" and any(
        lookup is not None
        and lookup.lookup_name == search.lookup_expr
        and lookup.lhs.target.name == search.field_name
        and TRIGRAM.search(str(lookup.rhs))
        for lookup in lookups(queryset.query.where)
    )


def unindexed(term: Any) -> Any:
    """An ordering term ("name", "-name"), the same order as an expression no index matches."""
    if not isinstance(term, str) or term.lstrip("-") != "name":
        return term
    expression = Concat("name", Value(""))
    return expression.desc() if term.startswith("-") else expression.asc()


# The same parameters as a schema, so that the OpenAPI document lists them.
query_fields: dict[str, Any] = {
    name: (str | None, Field(None, description=cast(str, filter_.label)))
    for name, filter_ in CatFilter.base_filters.items()
}
CatFilterQuery = create_model("CatFilterQuery", __base__=Schema, **query_fields)
