"""Request and response bodies, each listing its fields."""

from __future__ import annotations

import copy
import re
from datetime import datetime
from typing import Any, TypeVar, cast

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from ninja import Field, Schema
from ninja.schema import DjangoGetter
from pydantic import BaseModel, create_model, field_validator, model_validator

from django_catgram import messages
from django_catgram.fields import AchievementName, BirthYear, CatName, Color, Photo
from django_catgram.messages import _
from django_catgram.models import Cat, own_field

Model = TypeVar("Model", bound=BaseModel)


class Detail(Schema):
    """An error not tied to a field: 401, 403, 404, 405, 413, 429."""

    detail: str


# A 400: the messages of each field, as DRF gives them; ``non_field_errors`` for the rest.
FieldErrors = dict[str, list[str]]
# A 400 of an operation that reads a body: also ``{"detail": "JSON parse error - ..."}`` for a
# body that is not JSON at all.
BodyErrors = FieldErrors | Detail


# What no string of a body may hold: NUL, and lone UTF-16 surrogates (which JSON can carry as
# "\ud800" but UTF-8 cannot encode). PostgreSQL can neither store nor compare NUL, and the
# password hashers, PyJWT and the database drivers fail on text that is not UTF-8.
FORBIDDEN_CHARACTER = re.compile("[\x00\ud800-\udfff]")


def forbidden_character(value: Any) -> str | None:
    """The first forbidden character in any string of ``value`` (lists and dicts too)."""
    if isinstance(value, str):
        found = FORBIDDEN_CHARACTER.search(value)
        return found.group() if found else None
    if isinstance(value, dict):
        value = [*value.keys(), *value.values()]
    if isinstance(value, list):
        return next(filter(None, map(forbidden_character, value)), None)
    return None


class Body(Schema):
    """A request body: a JSON object, whose strings hold no NUL or lone surrogate (400).

    Ninja would read any other JSON value (``[]``, ``42``) as an object with no keys.
    """

    @model_validator(mode="before")
    @classmethod
    def refuse_what_is_not_an_object(cls, value: Any) -> Any:
        # Ninja's Schema has wrapped the value in its attribute getter by now.
        if not isinstance(value._obj if isinstance(value, DjangoGetter) else value, dict):
            raise ValueError(messages.NOT_AN_OBJECT)
        return value

    @field_validator("*", mode="before")
    @classmethod
    def refuse_forbidden_characters(cls, value: Any) -> Any:
        character = forbidden_character(value)
        if character == "\x00":
            raise ValueError(messages.NULL_CHARACTER)
        if character:
            raise ValueError(messages.SURROGATE_CHARACTER.format(code=ord(character)))
        return value


def every_key_optional(body: type[Model]) -> type[Model]:
    """``body`` with every key optional, as DRF's partial updates treat them: a key left out is
    not in ``model_fields_set`` (and reads as None), and null is still refused where the type
    has no None. For PATCH, and a PUT whose keys are all optional."""
    fields: dict[str, Any] = {}
    for name, field in body.model_fields.items():
        optional = copy.copy(field)
        optional.default = None  # a default is not validated, so its type may lack None
        fields[name] = (field.annotation, optional)
    return create_model(
        body.__name__, __base__=body, __doc__=body.__doc__, __module__=body.__module__, **fields
    )


class Credentials(Body):
    username: str
    password: str


class TokenPair(Schema):
    token: str = Field(description=_("The access token, for `Authorization: Bearer <token>`."))
    refresh: str = Field(description=_("The refresh token for `auth/token/refresh`."))
    expires_in: int = Field(description=_("Seconds until the access token expires."))


class JWTPair(Schema):
    """djoser's layout (``auth/jwt/``): the refresh token is rotated on every refresh."""

    access: str = Field(description=_("The access token, for `Authorization: Bearer <token>`."))
    refresh: str = Field(description=_("The refresh token for `auth/jwt/refresh/`."))


class RefreshIn(Body):
    refresh: str


class TokenIn(Body):
    token: str


class Empty(Schema):
    pass


class SessionOut(Schema):
    id: int
    created: datetime
    last_used: datetime = Field(description=_("The login or the last refresh."))
    user_agent: str
    ip: str | None = Field(description=_("The client's address at the login or last refresh."))
    current: bool = Field(description=_("Whether the request's own token belongs to it."))


class AuthToken(Schema):
    auth_token: str = Field(description=_("An access token, for `Authorization: Token <token>`."))


class UserOut(Schema):
    email: str
    id: int
    username: str

    @staticmethod
    def resolve_email(user: AbstractBaseUser) -> str:
        return getattr(user, get_user_model().get_email_field_name(), "") or ""

    @staticmethod
    def resolve_username(user: AbstractBaseUser) -> str:
        return user.get_username()


class UserCreate(Body):
    username: str
    password: str
    email: str = ""


@every_key_optional
class UserChange(Body):
    """PUT and PATCH of a user, as DRF treats an optional field: an absent e-mail is left as it
    is (PUT too), null is refused, "" clears it."""

    email: str


class CurrentPassword(Body):
    current_password: str


class SetPassword(Body):
    new_password: str
    current_password: str


class SetUsername(Body):
    current_password: str
    new_username: str


class EmailIn(Body):
    email: str


class UidToken(Body):
    uid: str
    token: str


class PasswordResetConfirm(UidToken):
    new_password: str


class UsernameResetConfirm(UidToken):
    new_username: str


class AchievementIn(Body):
    achievement_name: AchievementName


@every_key_optional
class AchievementPatch(AchievementIn):
    pass


# The outputs are plain pydantic models validated from dicts (see presenters): Ninja's
# Schema would wrap each object in its attribute getter, which the profile showed to be costly.
class AchievementOut(BaseModel):
    id: int
    achievement_name: str


class CatFields(Body):
    """A cat's own columns, as a body carries them: the one place that lists them.

    CatIn and CatPatch take them in and ``services.write_cat`` writes the ones sent; CatOut
    gives them back, read as ``presenters.CAT_COLUMNS``. A new column of the model needs only its
    line here.
    """

    name: CatName
    color: Color
    birth_year: BirthYear


CAT_FIELDS = tuple(CatFields.model_fields)


MOST_ACHIEVEMENTS = 100  # of one cat


class CatIn(CatFields):
    """A whole cat, for POST and PUT; absent achievements and image are left as they are."""

    achievements: list[AchievementIn] = Field(
        None,  # type: ignore[arg-type]  # absent, not null, as every_key_optional does
        # A bound on what one request adds to the list every client reads (achievements/).
        max_length=MOST_ACHIEVEMENTS,
        description=_("Replaces the cat's achievements; names are matched or created."),
    )
    image: Photo = None


@every_key_optional
class CatPatch(CatIn):
    """Any part of a cat, for PATCH: only the keys sent are written."""


def with_cat_fields(answer: type[Model]) -> type[Model]:
    """``answer`` with CatFields' fields after its ``id``: typed as stored, without the body's
    validators (what the database holds was checked on its way in), and described by the
    model's ``help_text``."""
    fields: dict[str, Any] = {
        name: (field.annotation, field) for name, field in answer.model_fields.items()
    }
    cat_fields = {
        name: (
            field.annotation,
            Field(description=cast(str, own_field(Cat, name).help_text) or None),
        )
        for name, field in CatFields.model_fields.items()
    }
    fields = {"id": fields.pop("id"), **cat_fields, **fields}
    made: type[Model] = create_model(
        answer.__name__, __doc__=answer.__doc__, __module__=answer.__module__, **fields
    )
    return made


@with_cat_fields
class CatOut(BaseModel):
    id: int
    achievements: list[AchievementOut]
    owner: int = Field(description=_("The owner's user id."))
    age: int = Field(description=_("The current year minus birth_year."))
    image: str | None = Field(description=_("The photo's absolute URL."))
    image_url: str | None = Field(description=_("The photo's URL as the storage gives it."))
    thumbnail: str | None = Field(
        description=_(
            "The absolute URL of the photo's thumbnail (THUMBNAIL_SIDE pixels on its long "
            "side); null without a photo, or for a photo stored before thumbnails existed."
        )
    )
    thumbnail_url: str | None = Field(
        description=_("The thumbnail's URL as the storage gives it; null as thumbnail is.")
    )
