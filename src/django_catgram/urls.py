"""URLs for ``path("api/", include("django_catgram.urls"))``: the API, its docs and schema.

Every view refuses a body over ``CATGRAM["MAX_BODY_BYTES"]`` with 413 before reading it and a
method HTTP does not define with a JSON 501, and a path the API does not serve is a JSON 404 (no
HTML page, no slash-appending redirect).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import URLPattern, URLResolver, re_path
from django.views.decorators.csrf import csrf_exempt

from django_catgram.api import URLS_NAMESPACE, api
from django_catgram.conf import catgram_settings
from django_catgram.routing import METHODS


def guard(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Answer 413 when the declared body is larger than the limit, without reading it, and 501
    for a method that no path serves or refuses (Ninja would answer those in plain text)."""

    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method not in METHODS:
            return JsonResponse(
                {"detail": f'Method "{request.method}" not implemented.'}, status=501
            )
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > catgram_settings.MAX_BODY_BYTES:
            return JsonResponse(
                {"detail": f"Request body exceeds {catgram_settings.MAX_BODY_BYTES} bytes."},
                status=413,
            )
        return view(request, *args, **kwargs)

    return guarded


@csrf_exempt  # else Django's HTML 403 CSRF page would answer an unsafe method first
def not_found(request: HttpRequest, path: str) -> HttpResponse:
    return JsonResponse({"detail": "Not found."}, status=404)


def guarded_patterns(patterns: list[URLPattern | URLResolver]) -> list[URLPattern | URLResolver]:
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            pattern.callback = guard(pattern.callback)
    return patterns


app_name = URLS_NAMESPACE
urlpatterns = [
    *guarded_patterns(api.urls[0]),
    re_path(r"^(?P<path>.*)$", not_found, name="not-found"),
]
