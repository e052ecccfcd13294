"""Helpers that register operations the same way on every router."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router
from ninja.operation import Operation
from ninja.types import TCallable

from django_catgram.errors import MethodNotAllowed
from django_catgram.parsers import check_declared_length, take_a_streamed_form

# Every method HTTP defines: a path answers those it does not serve with a JSON 405.
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "CONNECT")
PATH_PARAMETER = re.compile(r"{(?:\w+:)?(\w+)}")


def answered_by_the_api(run: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Refuse a body too large before anything reads it, take a form a middleware has read
    already, and answer what fails around an operation's view through the API's error handlers
    too.

    Ninja answers errors of the view and of the authentication so, but not those of a
    throttle (such as a cache that is down), which would become Django's HTML 500. The body
    check is here so that a host's own API (``add_routers``) gets the early 413 as well.
    """
    operation: Operation = run.__self__  # type: ignore[attr-defined]  # run is a bound method

    @wraps(run)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            check_declared_length(request)
            take_a_streamed_form(request)
            return run(request, *args, **kwargs)
        except Exception as error:
            return operation.api.on_exception(request, error)

    return guarded


def make_router(**options: Any) -> Router:
    """A ``Router`` whose every operation answers errors through the API's handlers."""
    router = Router(**options)
    # Ninja calls wrapping ``run`` (the checks, then the view) the "view" mode.
    router.add_decorator(answered_by_the_api, mode="view")
    return router


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


def refuse_other_methods(router: Router) -> None:
    """Answer the methods a path does not serve with 405 ``{"detail"}`` and an Allow header.

    ``add_routers`` calls it once all of the router's operations are registered; a second call
    changes nothing, since every method is served by then.
    """
    for path, path_view in list(router.path_operations.items()):
        allowed = sorted({method for op in path_view.operations for method in op.methods})
        refused = [method for method in METHODS if method not in allowed]
        if not refused:
            continue

        def not_allowed(request: HttpRequest, allowed: list[str] = allowed, **kwargs: Any) -> Any:
            raise MethodNotAllowed(request.method or "", allowed)

        # Ninja wants the path's parameters in the signature; their values do not matter here.
        not_allowed.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
            [inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
            + [
                inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=Any)
                for name in PATH_PARAMETER.findall(path)
            ]
        )
        router.api_operation(refused, path, auth=None, include_in_schema=False, operation_id=None)(
            not_allowed
        )
