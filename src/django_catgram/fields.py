"""Field rules of the API's bodies, as annotated pydantic types shared by the schemas."""

from __future__ import annotations

from typing import Annotated, Any

import webcolors
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.utils import timezone
from pydantic import AfterValidator, BeforeValidator, Field, PlainValidator, WithJsonSchema

from django_catgram import messages
from django_catgram.images import EncodedPhoto, decode_data_url, decode_upload
from django_catgram.messages import _
from django_catgram.models import MIN_BIRTH_YEAR, Achievement, Cat, own_field


def css_color_name(value: str) -> str:
    """The CSS colour name of a hex code (#RRGGBB or #RGB, any case) or of a CSS name."""
    value = value.strip().lower()
    try:
        if value.startswith("#"):
            name: str = webcolors.hex_to_name(webcolors.normalize_hex(value), spec=webcolors.CSS3)
            return name
        webcolors.name_to_hex(value, spec=webcolors.CSS3)
    except ValueError:
        raise ValueError(messages.NO_CSS_COLOUR.format(value=value)) from None
    return value


def check_birth_year(value: int) -> int:
    this_year = timezone.localdate().year
    if value < MIN_BIRTH_YEAR:
        raise ValueError(messages.AT_LEAST.format(limit=MIN_BIRTH_YEAR))
    if value > this_year:
        raise ValueError(messages.AT_MOST.format(limit=this_year))
    return value


def strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def photo(value: Any) -> EncodedPhoto | None:
    """None, or a checked photo from a data URL or a multipart upload."""
    if value is None:
        return None
    if isinstance(value, UploadedFile):
        return decode_upload(value)
    if isinstance(value, str):
        return decode_data_url(value)
    raise ValueError(messages.PHOTO_NOT_A_STRING)


def column_length(model: type[models.Model], field: str) -> int | None:
    """The length of a character field's column, so that a longer value is a 400, not a 500."""
    return own_field(model, field).max_length


CatName = Annotated[
    str,
    BeforeValidator(strip),
    Field(min_length=1, max_length=column_length(Cat, "name")),
]
AchievementName = Annotated[
    str,
    BeforeValidator(strip),
    Field(min_length=1, max_length=column_length(Achievement, "name")),
]
Color = Annotated[
    str,
    AfterValidator(css_color_name),
    Field(description=_("A hex code (#RRGGBB or #RGB) or a CSS colour name; stored as the name.")),
]
# Lax mode takes numeric strings too ("2020"), as the original API did.
BirthYear = Annotated[
    int, AfterValidator(check_birth_year), Field(description=_("From 1900 to the current year."))
]
Photo = Annotated[
    Any,
    PlainValidator(photo),
    WithJsonSchema(
        {
            "type": ["string", "null"],
            "description": "data:image/<png|jpeg|gif|webp>;base64,<data>; null removes the photo.",
        }
    ),
]
