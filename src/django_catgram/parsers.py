"""Request bodies: JSON as Ninja reads it, and multipart forms with the same field names."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest
from ninja.parser import Parser

# Form fields holding a JSON value rather than a string.
JSON_FORM_FIELDS = ("achievements",)


class CatgramParser(Parser):
    """Reads ``multipart/form-data`` into the dict a JSON body would give, files included.

    ``achievements`` is sent as a JSON array in its form field; a file field (``image``) as an
    upload, which the schema checks like a data URL.
    """

    def parse_body(self, request: HttpRequest) -> Any:
        if request.content_type != "multipart/form-data":
            return super().parse_body(request)
        data: dict[str, Any] = dict(request.POST.items())
        for name in JSON_FORM_FIELDS:
            if name in data:
                data[name] = json.loads(data[name])
        data.update(request.FILES.items())
        return data
