"""Request and response bodies, each listing its fields."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from ninja import Field, Schema
from pydantic import BaseModel, field_validator

from django_catgram.fields import AchievementName, BirthYear, CatName, Color, Photo


class Detail(Schema):
    """An error not tied to a field: 401, 403, 404, 405, 413, 429."""

    detail: str


# A 400: the messages of each field, as DRF gives them; ``non_field_errors`` for the rest.
FieldErrors = dict[str, list[str]]
# A 400 of an operation that reads a body: also ``{"detail": "JSON parse error - ..."}`` for a
# body that is not JSON at all.
BodyErrors = FieldErrors | Detail


class Body(Schema):
    """A request body: a string holding NUL is refused on its field, as DRF does.

    PostgreSQL can neither store nor compare such strings, so they never reach a query.
    """

    @field_validator("*", mode="before")
    @classmethod
    def refuse_null_characters(cls, value: Any) -> Any:
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("Null characters are not allowed.")
        return value


class Credentials(Body):
    username: str
    password: str


class TokenPair(Schema):
    token: str = Field(description="The access token, for `Authorization: Bearer <token>`.")
    refresh: str = Field(description="The refresh token for `auth/token/refresh`.")
    expires_in: int = Field(description="Seconds until the access token expires.")


class RefreshIn(Body):
    refresh: str


class TokenIn(Body):
    token: str


class Empty(Schema):
    pass


class AuthToken(Schema):
    auth_token: str = Field(description="An access token, for `Authorization: Token <token>`.")


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


class UserUpdate(Body):
    email: str = ""


class UserPatch(Body):
    email: str | None = None


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


# In the patches below, a key may be left out, but null is refused: the type has no None.
class AchievementPatch(Body):
    achievement_name: AchievementName = None


# The outputs are plain pydantic models validated from dicts (see presenters): Ninja's
# Schema would wrap each object in its attribute getter, which the profile showed to be costly.
class AchievementOut(BaseModel):
    id: int
    achievement_name: str


class CatIn(Body):
    """A whole cat, for POST and PUT; absent achievements and image are left as they are."""

    name: CatName
    color: Color
    birth_year: BirthYear
    achievements: list[AchievementIn] = Field(
        None, description="Replaces the cat's achievements; names are matched or created."
    )
    image: Photo = None


class CatPatch(Body):
    """Any part of a cat, for PATCH: only the keys sent are written."""

    name: CatName = None
    color: Color = None
    birth_year: BirthYear = None
    achievements: list[AchievementIn] = None
    image: Photo = None


class CatOut(BaseModel):
    id: int
    name: str
    color: str = Field(description="A CSS colour name.")
    birth_year: int
    achievements: list[AchievementOut]
    owner: int = Field(description="The owner's user id.")
    age: int = Field(description="The current year minus birth_year.")
    image: str | None = Field(description="The photo's absolute URL.")
    image_url: str | None = Field(description="The photo's URL as the storage gives it.")
