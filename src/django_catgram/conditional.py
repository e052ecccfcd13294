"""Conditional requests: an ETag on every read, 304 for a copy still current, and 412 for a
write based on a copy no longer current (``If-Match``).

A cat's or an achievement's ETag is the hash of its object, so that a write can compare it,
under the row lock, with what the client read; any other answer's is the hash of its body.
Either changes whenever anything in the answer does, and costs no query.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any, TypeAlias, TypeVar

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseNotModified
from django.utils.http import parse_etags, quote_etag
from ninja.errors import HttpError

from django_catgram import messages
from django_catgram.messages import _

T = TypeVar("T")
Check: TypeAlias = Callable[[T], None]
SAFE_METHODS = ("GET", "HEAD")
# The writes whose answer is the resource as written: its ETag is the one a read would give.
ANSWERING_WRITES = ("POST", "PUT", "PATCH")
# What a 304 keeps of the answer it stands for (RFC 9110, 15.4.5).
KEPT_HEADERS = ("Cache-Control", "Content-Location", "Date", "ETag", "Expires", "Vary")


def header_parameter(name: str, description: str) -> dict[str, Any]:
    return {
        "in": "header",
        "name": name,
        "required": False,
        "schema": {"type": "string"},
        "description": description,
    }


def read_documentation() -> dict[str, Any]:
    """What the OpenAPI schema adds to a read: the ETag of its 200, and If-None-Match."""
    etag = {
        "description": _("The answer's version, for If-None-Match and If-Match."),
        "schema": {"type": "string"},
    }
    return {
        "parameters": [
            header_parameter(
                "If-None-Match", _("An ETag read before: 304 with no body while it is current.")
            )
        ],
        "responses": {200: {"headers": {"ETag": etag}}},
    }


def write_documentation() -> dict[str, Any]:
    """What the OpenAPI schema adds to a write that checks If-Match."""
    return {
        "parameters": [
            header_parameter(
                "If-Match",
                _(
                    "The ETag of the version the change is based on: 412, and nothing changed, "
                    "if the resource has changed since. Without it the write applies to any "
                    "version."
                ),
            )
        ]
    }


class PreconditionFailed(HttpError):
    """412: the resource changed since the version the client's ``If-Match`` names."""

    def __init__(self) -> None:
        super().__init__(412, messages.PRECONDITION_FAILED)


def digest(content: bytes) -> str:
    return quote_etag(hashlib.sha256(content).hexdigest()[:32])


def etag_of(data: Any) -> str:
    """The ETag of an object (a cat's, an achievement's), from its data in a fixed key order."""
    return digest(json.dumps(data, sort_keys=True, cls=DjangoJSONEncoder).encode())


def tag(response: HttpResponse, data: Any) -> Any:
    """Give ``response`` (the operation's temporal one) the ETag of the object it answers."""
    response["ETag"] = etag_of(data)
    return data


def names(header: str, etag: str, *, weak: bool) -> bool:
    """Whether an ``If-Match`` or ``If-None-Match`` header names ``etag`` (``*`` names any).

    ``If-None-Match`` compares weakly, ``If-Match`` strongly (a weak tag never matches).
    """
    tags = parse_etags(header)
    if "*" in tags:
        return True
    if weak:
        return etag.removeprefix("W/") in {tag.removeprefix("W/") for tag in tags}
    return not etag.startswith("W/") and etag in tags


def answer_conditionally(request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
    """Tag a read's 200 answer and a write's 200 or 201 (unless its view did: a cat's, an
    achievement's), so that a client has the tag for its next ``If-Match`` or
    ``If-None-Match`` without a read; answer a read 304 if the client's ``If-None-Match``
    names that tag; a HEAD answer keeps its headers and loses its body."""
    read = request.method in SAFE_METHODS and response.status_code == 200
    written = request.method in ANSWERING_WRITES and response.status_code in (200, 201)
    if read or written:
        assert isinstance(response, HttpResponse)  # the operations answer no streams
        if not response.has_header("ETag"):
            response["ETag"] = digest(response.content)
        header = request.headers.get("If-None-Match") if read else None
        if header is not None and names(header, response["ETag"], weak=True):
            response = not_modified(response)
    if request.method == "HEAD" and isinstance(response, HttpResponse) and response.content:
        response["Content-Length"] = str(len(response.content))
        response.content = b""
    return response


def not_modified(response: HttpResponse) -> HttpResponseNotModified:
    answer = HttpResponseNotModified()
    for header in KEPT_HEADERS:
        if header in response:
            answer[header] = response[header]
    return answer


def unless_changed(request: HttpRequest, object_of: Callable[[T], Any]) -> Check[T] | None:
    """The check a write of a cat or an achievement runs on its row, once locked: 412 unless the
    request's ``If-Match`` names the ETag of the row's object (``object_of(row)``) as it is now.

    None for a request without ``If-Match``, which changes the resource whatever its version.
    """
    header = request.headers.get("If-Match")
    if header is None:
        return None

    def check(row: T) -> None:
        if not names(header, etag_of(object_of(row)), weak=False):
            raise PreconditionFailed()

    return check
