"""Helpers that register operations the same way on every router."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.db import OperationalError, connections
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from ninja import Router
from ninja.operation import Operation, PathView
from ninja.renderers import JSONRenderer
from ninja.types import TCallable

from django_catgram.conditional import (
    answer_conditionally,
    read_documentation,
    write_documentation,
)
from django_catgram.errors import MethodNotAllowed
from django_catgram.parsers import (
    PARSED_MEDIA_TYPES,
    check_declared_length,
    read_no_body_as_an_object,
    take_a_streamed_form,
)
from django_catgram.schemas import Detail

# Every method HTTP defines: a path answers those it does not serve with a JSON 405.
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "CONNECT")
PATH_PARAMETER = re.compile(r"{(?:\w+:)?(\w+)}")
# SQLSTATEs of a transaction the database rolled back so that a concurrent one could go on: a
# deadlock, a serialization failure. Nothing of it was committed; running it again may succeed.
CONFLICTS = {"40P01", "40001"}
ATTEMPTS = 3  # of a view whose transaction lost such a conflict, before its 503


def answered_by_the_api(run: Callable[..., HttpResponse]) -> Callable[..., HttpResponseBase]:
    """Refuse a body too large before anything reads it, read no body as ``{}``, take a form
    a middleware has read already, answer what fails around an operation's view through the
    API's error handlers too, and answer a read conditionally (ETag, 304, HEAD without the
    body).

    Ninja answers errors of the view and of the authentication so, but not those of a
    throttle (such as a cache that is down), which would become Django's HTML 500. The body
    check is here so that a host's own API (``add_routers``) gets the early 413 as well.
    """
    operation: Operation = run.__self__  # type: ignore[attr-defined]  # run is a bound method

    @wraps(run)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            check_declared_length(request)
            read_no_body_as_an_object(request)
            take_a_streamed_form(request)
            response = run(request, *args, **kwargs)
        except Exception as error:
            response = operation.api.on_exception(request, error)
        return answer_conditionally(request, response)

    return guarded


def again_after_a_conflict(view: Callable[..., Any]) -> Callable[..., Any]:
    """Run ``view`` again (``ATTEMPTS`` times in all) when the database rolled its transaction
    back to resolve a conflict with a concurrent one, such as two writes whose count rows
    (``migrations/0008_cat_counts``) each waits for the other's.

    Not inside a transaction the caller opened (``ATOMIC_REQUESTS``, a test's): that one is
    still failed, and so is the view."""

    @wraps(view)
    def retried(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        attempt = 1
        while True:
            try:
                return view(request, *args, **kwargs)
            except OperationalError as error:
                if attempt == ATTEMPTS or not lost_a_conflict(error):
                    raise
                attempt += 1

    return retried


def lost_a_conflict(error: OperationalError) -> bool:
    """Whether ``error`` rolled back a transaction of the view's own over a conflict."""
    state = getattr(error.__cause__, "sqlstate", None)  # psycopg's; psycopg2's pgcode
    return (state or getattr(error.__cause__, "pgcode", None)) in CONFLICTS and not any(
        connection.in_atomic_block for connection in connections.all(initialized_only=True)
    )


class CatgramRouter(Router):
    """A ``Router`` whose every operation answers errors through the API's handlers and runs
    its view again after a lost conflict, and whose every GET answers HEAD too (with the same
    authentication, throttles and headers).

    The schema documents the reads' ETag and 304, and with ``checks_if_match`` the If-Match
    and 412 of the writes (PUT, PATCH, DELETE), which their views check.
    """

    def __init__(self, checks_if_match: bool = False, **options: Any) -> None:
        super().__init__(**options)
        self.checks_if_match = checks_if_match
        # Ninja calls wrapping ``run`` (the checks, then the view) the "view" mode.
        self.add_decorator(answered_by_the_api, mode="view")
        # And wrapping the view alone, once its parameters are read.
        self.add_decorator(again_after_a_conflict, mode="operation")

    def add_api_operation(
        self, path: str, methods: list[str], view_func: Callable[..., Any], **options: Any
    ) -> None:
        if options.get("include_in_schema", True):
            if "GET" in methods:
                options = documented(options, read_documentation(), {304: None})
            elif self.checks_if_match and set(methods) & {"PUT", "PATCH", "DELETE"}:
                options = documented(options, write_documentation(), {412: Detail})
        if "GET" in methods and "HEAD" not in methods:
            head = {**options, "url_name": None, "include_in_schema": False}
            if options.get("operation_id"):
                head["operation_id"] = f"{options['operation_id']}_head"
            super().add_api_operation(path, ["HEAD"], view_func, **head)
        super().add_api_operation(path, methods, view_func, **options)


def documented(
    options: dict[str, Any], extra: dict[str, Any], responses: dict[int, Any]
) -> dict[str, Any]:
    """An operation's options with ``extra`` in its OpenAPI entry and more ``responses``."""
    assert not options.get("openapi_extra"), "the operations of the cats API set none"
    return {**options, "openapi_extra": extra, "response": {**options["response"], **responses}}


def both_spellings(
    router: Router, method: str, path: str, **options: Any
) -> Callable[[TCallable], TCallable]:
    """Serve ``path`` with and without its trailing slash; the schema documents ``path``."""
    other = path[:-1] if path.endswith("/") else f"{path}/"
    hidden = {
        **options,
        "operation_id": f"{options['operation_id']}_alt",
        "url_name": f"{options['url_name']}-alt",
        "include_in_schema": False,
    }

    def register(view: TCallable) -> TCallable:
        router.api_operation([method], other, **hidden)(view)
        return router.api_operation([method], path, **options)(view)

    return register


def path_metadata(path_view: PathView) -> dict[str, Any]:
    """What OPTIONS answers about a path, in DRF's shape: its name, what it does, and the media
    types of its answers and bodies."""
    first = next((op for op in path_view.operations if "GET" in op.methods), None)
    first = first or path_view.operations[0]
    name = (path_view.url_name or "").replace("-", " ").title()
    return {
        "name": name,
        "description": first.summary or "",
        "renders": [JSONRenderer.media_type],
        "parses": list(PARSED_MEDIA_TYPES),
    }


def answer_other_methods(router: Router) -> None:
    """Answer OPTIONS on every path with its metadata, and every other method a path does not
    serve with 405 ``{"detail"}``; each with an Allow header naming the methods served.

    ``add_routers`` calls it once all of the router's operations are registered; a second call
    changes nothing, since every method is served by then.
    """
    for path, path_view in list(router.path_operations.items()):
        served = {method for op in path_view.operations for method in op.methods}
        if "OPTIONS" in served:
            continue
        allowed = [method for method in METHODS if method in served or method == "OPTIONS"]
        refused = [method for method in METHODS if method not in allowed] + ["OPTIONS"]
        # Named before OPTIONS is registered: the name of the operations the path has.
        metadata = path_metadata(path_view)

        def other_method(
            request: HttpRequest,
            allowed: list[str] = allowed,
            metadata: dict[str, Any] = metadata,
            **kwargs: Any,
        ) -> Any:
            if request.method != "OPTIONS":
                raise MethodNotAllowed(request.method or "", allowed)
            response = JsonResponse(metadata)
            response["Allow"] = ", ".join(allowed)
            return response

        # Ninja wants the path's parameters in the signature; their values do not matter here.
        other_method.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
            [inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
            + [
                inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=Any)
                for name in PATH_PARAMETER.findall(path)
            ]
        )
        router.api_operation(refused, path, auth=None, include_in_schema=False, operation_id=None)(
            other_method
        )
