"""URLs for ``path("api/", include("django_catgram.urls"))``: the API, its docs and schema.

Every answer is JSON (but the docs page): a body over ``CATGRAM["MAX_BODY_BYTES"]`` is refused
with 413 before it is read, a Content-Length that is not a number with 400, any method a path
does not serve with 405 (even one HTTP does not define), OPTIONS is 200, both naming the methods
served in Allow, and a path the API does not serve is a 404 (no HTML page, no slash-appending
redirect, never Django's HTML CSRF page).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from functools import wraps
from typing import Any

from asgiref.sync import iscoroutinefunction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import URLPattern, URLResolver, re_path
from django.views.decorators.csrf import csrf_exempt
from ninja.errors import HttpError

from django_catgram import messages
from django_catgram.api import URLS_NAMESPACE, api
from django_catgram.parsers import check_declared_length
from django_catgram.routing import METHODS

# Ninja's pages (the docs, the OpenAPI document) answer any method; they are read-only.
PAGES = ("openapi-json", "openapi-view")
PAGE_METHODS = ("GET", "HEAD")
View = Callable[..., HttpResponse]
AnyView = Callable[..., Any]  # a view, or an async one


def detail(message: str, status: int, **headers: str) -> JsonResponse:
    return JsonResponse({"detail": message}, status=status, headers=headers)


def not_allowed(request: HttpRequest, allow: str) -> JsonResponse:
    return detail(messages.METHOD_NOT_ALLOWED.format(method=request.method), 405, Allow=allow)


def serves(*methods: str) -> Callable[[AnyView], AnyView]:
    """Make a view that changes nothing (a page, a health check) answer as the API's paths do:
    OPTIONS with 200, any method but ``methods`` (even one HTTP does not define) with a JSON
    405, both naming ``methods`` and OPTIONS in Allow.

    Without CSRF's check, whose HTML 403 would answer an unsafe method first: such a view has
    nothing for it to protect. ``serves("GET", "HEAD")(view)``; the view may be async.
    """
    allow = ", ".join((*methods, "OPTIONS"))

    def refusal(request: HttpRequest) -> HttpResponse | None:
        if request.method == "OPTIONS":
            return JsonResponse({}, headers={"Allow": allow})
        return None if request.method in methods else not_allowed(request, allow)

    def decorate(view: AnyView) -> AnyView:
        def served(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            return refusal(request) or view(request, *args, **kwargs)

        async def served_async(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            return refusal(request) or await view(request, *args, **kwargs)

        return csrf_exempt(wraps(view)(served_async if iscoroutinefunction(view) else served))

    return decorate


def guard(view: View, page_methods: tuple[str, ...] | None = None) -> View:
    """Refuse before the view what it would answer in HTML or plain text, or not at all.

    ``page_methods``: the methods of a page of Ninja's, which would answer any other.
    """
    view = serves(*page_methods)(view) if page_methods else view

    @csrf_exempt  # else Django's HTML 403 CSRF page would answer an unsafe method first
    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            # Every operation checks it too (for add_routers hosts); here it also covers the
            # pages and the methods beyond HTTP's own.
            check_declared_length(request)
        except HttpError as error:
            return detail(error.message, error.status_code)
        try:
            if request.method not in METHODS:
                # A method beyond HTTP's own (QUERY, PROPFIND...), which Ninja would refuse in
                # plain text: ask the path what it serves, as every path refuses TRACE with that.
                probe = copy.copy(request)
                probe.method = "TRACE"
                return not_allowed(request, view(probe, *args, **kwargs).get("Allow", ""))
            return view(request, *args, **kwargs)
        except Http404:  # Ninja's root view, which only names where the API is mounted
            return not_found(request)

    return guarded


@csrf_exempt  # else Django's HTML 403 CSRF page would answer an unsafe method first
def not_found(request: HttpRequest, path: str = "") -> HttpResponse:
    return detail(messages.NOT_FOUND, 404)


def guarded_patterns(patterns: list[URLPattern | URLResolver]) -> list[URLPattern | URLResolver]:
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            page_methods = PAGE_METHODS if pattern.name in PAGES else None
            pattern.callback = guard(pattern.callback, page_methods)
    return patterns


def by_route(
    patterns: list[URLPattern | URLResolver],
) -> tuple[list[URLPattern | URLResolver], list[URLPattern | URLResolver]]:
    """The first pattern of each route, and the others.

    Ninja adds a pattern for each URL name of a path, all with the same route and view: only
    the first can match, and the resolver would try each of the others on every request.
    """
    first: dict[str, URLPattern | URLResolver] = {}
    for pattern in patterns:
        first.setdefault(str(pattern.pattern), pattern)
    routes = list(first.values())
    return routes, [pattern for pattern in patterns if pattern not in routes]


app_name = URLS_NAMESPACE
routes, other_names = by_route(guarded_patterns(api.urls[0]))
urlpatterns = [
    *routes,
    # [\s\S]: a path holding a newline ("%0A") is a path too.
    re_path(r"^(?P<path>[\s\S]*)$", not_found, name="not-found"),
    *other_names,  # after the catch-all: they serve reverse() only
]
