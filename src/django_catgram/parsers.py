"""Request bodies, parsed once per request: JSON, and forms with the same field names.

The login throttle reads the username from the same parse as the view (``parsed_body``), so a
limit cannot be dodged by sending the credentials in a form rather than as JSON.
"""

from __future__ import annotations

import json
from contextlib import suppress
from io import BytesIO
from typing import Any

from django.http import HttpRequest, QueryDict
from django.http.multipartparser import MultiPartParserError
from django.http.request import RawPostDataException
from ninja.errors import HttpError
from ninja.parser import Parser

from django_catgram import messages
from django_catgram.conf import catgram_settings
from django_catgram.errors import BodyParseError, ServiceUnavailable

# Form fields holding a JSON value rather than a string.
JSON_FORM_FIELDS = ("achievements",)
MULTIPART = "multipart/form-data"
URLENCODED = "application/x-www-form-urlencoded"
# What CatgramParser reads (as OPTIONS tells).
PARSED_MEDIA_TYPES = ("application/json", MULTIPART, URLENCODED)
_PARSED = "_catgram_parsed_body"
# Deeper JSON is refused (the API's bodies nest three levels). Python's own parser stops near
# 1,000 levels or not at all, depending on its version, and the validation after it recurses.
MAX_NESTING = 100


def check_declared_length(request: HttpRequest) -> None:
    """Refuse a body before anything reads it: 400 for a Content-Length that is not a number,
    413 for one over ``MAX_BODY_BYTES``."""
    value = request.META.get("CONTENT_LENGTH") or "0"
    if not (value.isascii() and value.isdigit()):
        raise HttpError(400, messages.CONTENT_LENGTH_NOT_A_NUMBER)
    if int(value) > catgram_settings.MAX_BODY_BYTES:
        raise HttpError(413, messages.BODY_TOO_LARGE.format(limit=catgram_settings.MAX_BODY_BYTES))


def parsed_body(request: HttpRequest, let_go_of_the_body: bool = False) -> Any:
    """The request's body as data, parsed on first use; a bad body raises the same error each
    time it is asked for.

    JSON whatever the content type (as Ninja reads it), except forms: ``multipart/form-data``
    and ``application/x-www-form-urlencoded`` give the dict a JSON body would, files included.
    ``let_go_of_the_body`` drops Django's copy of a JSON or multipart body as soon as it is
    decoded, so that a photo in it is not held twice more while it is checked and stored;
    ``request.body`` then raises ``RawPostDataException``, as after a form Django streamed
    (a multipart form stays in ``request.POST`` and ``request.FILES``).
    """
    if not hasattr(request, _PARSED):
        try:
            setattr(request, _PARSED, (_parse(request, let_go_of_the_body), None))
        except (BodyParseError, ServiceUnavailable) as error:
            setattr(request, _PARSED, (None, error))
    data, failure = getattr(request, _PARSED)
    if failure is not None:
        raise failure
    return data


# The methods whose operations read no body: left as they come.
BODILESS_METHODS = ("GET", "HEAD", "OPTIONS")


def read_no_body_as_an_object(request: HttpRequest) -> None:
    """A write with no body has the body ``{}``, as DRF reads it: a POST without one is 400
    on each required field (Ninja would answer one error for the body as a whole), a PATCH
    without one changes nothing."""
    if (
        request.method not in BODILESS_METHODS
        and request.META.get("CONTENT_LENGTH") in (None, "", "0")
        and request.content_type not in (MULTIPART, URLENCODED)
    ):
        request._body = b"{}"


def take_a_streamed_form(request: HttpRequest) -> None:
    """Read a multipart form that a host's middleware has streamed into ``request.POST``.

    Django cannot give ``request.body`` after that, and Ninja reads it before calling the
    parser. So the form is parsed now, from ``request.POST`` and ``request.FILES`` as DRF does,
    and Ninja is left a stand-in body, which it only looks at before asking ``parsed_body``.
    """
    streamed = getattr(request, "_read_started", False) and not hasattr(request, "_body")
    if streamed and request.content_type == MULTIPART:
        parsed_body(request)
        request._body = MULTIPART.encode()


def _parse(request: HttpRequest, let_go_of_the_body: bool) -> Any:
    # The body is read whole first (it is bounded by the body limit), so that it can be read
    # again whichever code asks first.
    try:
        body = request.body
    except RawPostDataException:  # a middleware has streamed a form already (outside the API)
        return _form_fields(request.POST, request.FILES)
    if request.content_type == URLENCODED:  # Django reads it again for request.POST
        return _form_fields(QueryDict(body, encoding=request.encoding), {})
    form = _form(request, body) if request.content_type == MULTIPART else None
    text = None if form is not None else json_text(body)
    if let_go_of_the_body:
        del body, request._body
        request._stream = BytesIO()
    return form if text is None else json_value(text)


def json_text(body: bytes) -> str:
    """``body`` decoded as ``json.loads`` decodes bytes (UTF-8, -16 or -32)."""
    try:
        return body.decode(json.detect_encoding(body), "surrogatepass")
    except UnicodeDecodeError as error:
        raise BodyParseError(messages.JSON_PARSE_ERROR.format(error=error)) from None


def json_value(text: str | bytes) -> Any:
    """``text`` as JSON nested at most ``MAX_NESTING`` levels, or ``BodyParseError``."""
    try:
        data = json.loads(text)
    except RecursionError:
        raise BodyParseError(messages.TOO_DEEP.format(limit=MAX_NESTING)) from None
    except ValueError as error:  # UnicodeDecodeError too: bytes that are not UTF-8
        raise BodyParseError(messages.JSON_PARSE_ERROR.format(error=error)) from None
    if nesting_exceeds(data, MAX_NESTING):
        raise BodyParseError(messages.TOO_DEEP.format(limit=MAX_NESTING))
    return data


def nesting_exceeds(data: Any, limit: int) -> bool:
    """Whether lists and objects in ``data`` nest deeper than ``limit`` (counted without
    recursion, so that no later code recurses deeper than that on the body)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, (dict, list)):
            if depth > limit:
                return True
            stack.extend((item, depth + 1) for item in _items(value))
    return False


def _items(value: dict[str, Any] | list[Any]) -> Any:
    return value.values() if isinstance(value, dict) else value


def _form(request: HttpRequest, body: bytes) -> dict[str, Any]:
    # Django parses forms of POST requests only (https://code.djangoproject.com/ticket/12635).
    try:
        form, files = request.parse_file_upload(request.META, BytesIO(body))
        request._post, request._files = form, files  # type: ignore[attr-defined]
    except MultiPartParserError as error:
        raise BodyParseError(messages.MULTIPART_PARSE_ERROR.format(error=error)) from None
    except OSError as error:
        # A large upload is spooled to a temporary file: a full disk or an unwritable folder
        # is the server's fault, not the client's.
        raise ServiceUnavailable(messages.UPLOAD_NOT_STORED) from error
    return _form_fields(form, files)


def _form_fields(form: QueryDict, files: Any) -> dict[str, Any]:
    data: dict[str, Any] = dict(form.items())
    for name in JSON_FORM_FIELDS:
        if name in data:
            # Invalid JSON stays a string, which the schema refuses with a 400 on the field.
            with suppress(BodyParseError):
                data[name] = json_value(data[name])
    data.update(files.items())
    return data


class CatgramParser(Parser):
    """Ninja's parser on ``parsed_body``: ``achievements`` is sent as a JSON array in its form
    field, and a file field (``image``) as an upload, which the schema checks like a data URL.
    """

    def parse_body(self, request: HttpRequest) -> Any:
        # Ninja has looked at request.body already and does not again.
        return parsed_body(request, let_go_of_the_body=True)
