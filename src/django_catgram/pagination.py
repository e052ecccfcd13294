"""Page-number pagination in DRF's shape: ``count``, absolute ``next``/``previous``, ``results``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import InvalidPage, Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Schema
from ninja.errors import HttpError
from ninja.pagination import PaginationBase

from django_catgram import messages
from django_catgram.conf import catgram_settings


def page_url(request: HttpRequest, number: int) -> str:
    """The absolute URL of page ``number`` with the request's other query parameters."""
    query = dict(request.GET.lists())  # not GET.copy(), which deep-copies every value
    if number == 1:
        query.pop("page", None)
    else:
        query["page"] = [str(number)]
    return request.build_absolute_uri(
        f"{request.path}?{urlencode(query, doseq=True)}" if query else request.path
    )


class PageNumberPagination(PaginationBase):
    """``?page=N``, ``CATGRAM["PAGE_SIZE"]`` items a page; a bad page is 404 "Invalid page."."""

    class Input(Schema):
        # A string, so that a non-number is DRF's 404 "Invalid page." rather than a 400.
        page: str = "1"

    class Output(Schema):
        count: int
        next: str | None
        previous: str | None
        results: list[Any]

    items_attribute = "results"

    def __init__(
        self,
        *,
        serialize: Callable[[HttpRequest, list[Any]], list[Any]] | None = None,
        count: Callable[[QuerySet[Any, Any]], int] | None = None,
        items: Callable[[QuerySet[Any, Any], int, int, int], list[Any]] | None = None,
        **kwargs: Any,
    ) -> None:
        """``serialize(request, items)`` turns a page's items into its results, if given;
        ``count(queryset)`` counts them, if given (by default ``queryset.count()``);
        ``items(queryset, low, high, count)`` reads a page's items, knowing how many there are
        in all, if given (by default the slice)."""
        super().__init__(**kwargs)
        self.serialize = serialize
        self.count = count
        self.items = items

    def paginate_queryset(
        self, queryset: QuerySet[Any, Any], pagination: Input, request: HttpRequest, **params: Any
    ) -> dict[str, Any]:
        paginator = Paginator(queryset, catgram_settings.PAGE_SIZE)
        if self.count:
            paginator.count = self.count(queryset)  # Paginator's own is a cached_property
        try:
            page = paginator.page(pagination.page or 1)  # an empty ?page= is page 1, as in DRF
        except InvalidPage:
            raise HttpError(404, messages.INVALID_PAGE) from None
        return {
            "count": paginator.count,
            "next": page_url(request, page.next_page_number()) if page.has_next() else None,
            "previous": (
                page_url(request, page.previous_page_number()) if page.has_previous() else None
            ),
            "results": self.results(request, queryset, page),
        }

    def results(self, request: HttpRequest, queryset: QuerySet[Any, Any], page: Page[Any]) -> Any:
        items: Any = page.object_list
        if self.items:
            per_page, count = page.paginator.per_page, page.paginator.count
            low = (page.number - 1) * per_page
            items = self.items(queryset, low, min(low + per_page, count), count)
        return self.serialize(request, list(items)) if self.serialize else items
