"""Request bodies: JSON as Ninja reads it, and multipart forms with the same field names."""

from __future__ import annotations

import json
from contextlib import suppress
from io import BytesIO
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
        if request.method == "POST":
            form, files = request.POST, request.FILES
        else:
            # Django parses forms of POST requests only (https://code.djangoproject.com/ticket/12635).
            form, files = request.parse_file_upload(request.META, BytesIO(request.body))
        data: dict[str, Any] = dict(form.items())
        for name in JSON_FORM_FIELDS:
            if name in data:
                # Invalid JSON stays a string, which the schema refuses with a 400 on the field.
                with suppress(ValueError):
                    data[name] = json.loads(data[name])
        data.update(files.items())
        return data
