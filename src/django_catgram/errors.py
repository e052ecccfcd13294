"""Error bodies in the shapes of Django REST Framework, which existing clients read."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from typing import Any

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import (
    AuthenticationError,
    AuthorizationError,
    HttpError,
    Throttled,
    ValidationError,
)
from ninja_jwt.exceptions import TokenError

from django_catgram import messages

logger = logging.getLogger("django.request")


class InvalidInput(Exception):
    """A 400 with DRF's body, for rules checked outside the schemas: ``{"field": ["message"]}``."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = errors

    @classmethod
    def on(cls, field: str, *messages: str) -> InvalidInput:
        """The error of one field."""
        return cls({field: list(messages)})


class BodyParseError(Exception):
    """A body that cannot be read as data: 400 ``{"detail": "JSON parse error - ..."}``."""


class ServiceUnavailable(HttpError):
    """A part the request needs (cache, storage, disk) does not answer: 503 with Retry-After.

    The request changed nothing; the client may try again.
    """

    retry_after = 5

    def __init__(self, message: str) -> None:
        super().__init__(503, message)


class MethodNotAllowed(HttpError):
    """405 for a method the path does not serve, naming the ones it does."""

    def __init__(self, method: str, allowed: list[str]) -> None:
        super().__init__(405, messages.METHOD_NOT_ALLOWED.format(method=method))
        self.allowed = allowed


def error_message(error: dict[str, Any]) -> str:
    """One pydantic error in words a DRF client expects."""
    context = error.get("ctx", {})
    if error["type"] == "value_error" and "error" in context:
        return str(context["error"])
    template = messages.FIELD_ERRORS.get(
        f"{error['type']} {context.get('field_type')}", messages.FIELD_ERRORS.get(error["type"])
    )
    return template.format(**context) if template else error["msg"]


def error_location(location: tuple[Any, ...]) -> tuple[str, list[str]]:
    """The field an error belongs to, and the path inside it (for lists and nested objects)."""
    source, *path = location
    if source in {"body", "form"} and path:
        path = path[1:]  # the view's parameter name, which the client never sees
    if not path:
        return "non_field_errors", []
    return str(path[0]), [str(part) for part in path[1:]]


def validation_errors(errors: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Group errors by field: ``{"name": ["This field is required."]}``."""
    body: dict[str, list[str]] = {}
    for error in errors:
        field, inner = error_location(tuple(error.get("loc", ())))
        message = error_message(error)
        body.setdefault(field, []).append(f"{'.'.join(inner)}: {message}" if inner else message)
    return body


def _respond(api: NinjaAPI, request: HttpRequest, body: Any, status: int) -> HttpResponse:
    return api.create_response(request, body, status=status)


def on_validation_error(request: HttpRequest, exc: ValidationError, api: NinjaAPI) -> HttpResponse:
    return _respond(api, request, validation_errors(exc.errors), 400)


def on_invalid_input(request: HttpRequest, exc: InvalidInput, api: NinjaAPI) -> HttpResponse:
    return _respond(api, request, exc.errors, 400)


def unauthorized(api: NinjaAPI, request: HttpRequest, body: dict[str, Any]) -> HttpResponse:
    response = _respond(api, request, body, 401)
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def on_authentication_error(
    request: HttpRequest, exc: AuthenticationError, api: NinjaAPI
) -> HttpResponse:
    message = exc.message if exc.message != "Unauthorized" else messages.NOT_AUTHENTICATED
    return unauthorized(api, request, {"detail": message})


def on_token_error(request: HttpRequest, exc: TokenError, api: NinjaAPI) -> HttpResponse:
    """A token sent in a body (refresh, verify, blacklist) that is forged, expired or spent:
    simplejwt's body for it, ``code`` included."""
    body = {"detail": messages.TOKEN_INVALID_OR_EXPIRED, "code": "token_not_valid"}
    return unauthorized(api, request, body)


def on_authorization_error(
    request: HttpRequest, exc: AuthorizationError, api: NinjaAPI
) -> HttpResponse:
    message = exc.message if exc.message != "Forbidden" else messages.PERMISSION_DENIED
    return _respond(api, request, {"detail": message}, 403)


def on_http_error(request: HttpRequest, exc: HttpError, api: NinjaAPI) -> HttpResponse:
    if type(exc) is HttpError and isinstance(exc.__cause__, Exception):
        # Ninja wraps whatever reading the body raised in a 400 "Cannot parse request body":
        # answer it as what it is (a parse error, a server fault, a body too large).
        return api.on_exception(request, exc.__cause__)
    response = _respond(api, request, {"detail": exc.message}, exc.status_code)
    if isinstance(exc, MethodNotAllowed):
        response["Allow"] = ", ".join(exc.allowed)
    if isinstance(exc, ServiceUnavailable):
        response["Retry-After"] = str(exc.retry_after)
    return response


def on_throttled(request: HttpRequest, exc: Throttled, api: NinjaAPI) -> HttpResponse:
    """A rate limit reached (Ninja adds Retry-After): Ninja's text, in the request's language."""
    return _respond(api, request, {"detail": messages.TOO_MANY_REQUESTS}, 429)


def on_body_parse_error(request: HttpRequest, exc: BodyParseError, api: NinjaAPI) -> HttpResponse:
    return _respond(api, request, {"detail": str(exc)}, 400)


def on_database_unavailable(
    request: HttpRequest, exc: OperationalError | InterfaceError, api: NinjaAPI
) -> HttpResponse:
    """A lost or refused database connection: nothing was committed, the client may retry."""
    logger.error(
        "Database unavailable: %s",
        request.path,
        exc_info=exc,
        extra={"status_code": 503, "request": request},
    )
    return on_http_error(request, ServiceUnavailable(messages.DATABASE_UNAVAILABLE), api)


def on_not_found(request: HttpRequest, exc: Http404, api: NinjaAPI) -> HttpResponse:
    return _respond(api, request, {"detail": messages.NOT_FOUND}, 404)


def on_suspicious_request(
    request: HttpRequest, exc: SuspiciousOperation, api: NinjaAPI
) -> HttpResponse:
    """Django's refusals of a request body: too big (413), too many fields or files (400)."""
    status = 413 if isinstance(exc, RequestDataTooBig) else 400
    return _respond(api, request, {"detail": str(exc)}, status)


def on_exception(request: HttpRequest, exc: Exception, api: NinjaAPI) -> HttpResponse:
    """A bug: log it as Django does and answer with no traceback."""
    logger.error(
        "Internal Server Error: %s",
        request.path,
        exc_info=exc,
        extra={"status_code": 500, "request": request},
    )
    # Lets Django's test client re-raise the exception, so that a test sees the bug itself.
    got_request_exception.send(sender=None, request=request)
    return _respond(api, request, {"detail": messages.SERVER_ERROR}, 500)


HANDLERS: dict[type[Exception], Callable[..., HttpResponse]] = {
    Exception: on_exception,
    Http404: on_not_found,
    HttpError: on_http_error,
    Throttled: on_throttled,
    AuthenticationError: on_authentication_error,
    TokenError: on_token_error,
    AuthorizationError: on_authorization_error,
    ValidationError: on_validation_error,
    InvalidInput: on_invalid_input,
    SuspiciousOperation: on_suspicious_request,
    BodyParseError: on_body_parse_error,
    OperationalError: on_database_unavailable,
    InterfaceError: on_database_unavailable,
}


def add_exception_handlers(api: NinjaAPI) -> None:
    """Make ``api`` answer every error in DRF's shapes."""
    for exception, handler in HANDLERS.items():
        api.add_exception_handler(exception, partial(handler, api=api))
