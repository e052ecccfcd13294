"""Request and response bodies, each listing its fields."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.utils import timezone
from ninja import Field, Schema

from django_catgram.fields import AchievementName, BirthYear, CatName, Color, Photo
from django_catgram.models import Achievement, Cat


class Detail(Schema):
    """An error not tied to a field: 401, 403, 404, 405, 413, 429."""

    detail: str


# A 400: the messages of each field, as DRF gives them; ``non_field_errors`` for the rest.
FieldErrors = dict[str, list[str]]


class Credentials(Schema):
    username: str
    password: str


class TokenPair(Schema):
    token: str = Field(description="The access token, for `Authorization: Bearer <token>`.")
    refresh: str = Field(description="The refresh token for `auth/token/refresh`.")
    expires_in: int = Field(description="Seconds until the access token expires.")


class RefreshIn(Schema):
    refresh: str


class TokenIn(Schema):
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


class UserCreate(Schema):
    username: str
    password: str
    email: str = ""


class UserUpdate(Schema):
    email: str = ""


class UserPatch(Schema):
    email: str | None = None


class CurrentPassword(Schema):
    current_password: str


class SetPassword(Schema):
    new_password: str
    current_password: str


class SetUsername(Schema):
    current_password: str
    new_username: str


class EmailIn(Schema):
    email: str


class UidToken(Schema):
    uid: str
    token: str


class PasswordResetConfirm(UidToken):
    new_password: str


class UsernameResetConfirm(UidToken):
    new_username: str


class AchievementIn(Schema):
    achievement_name: AchievementName


# In the patches below, a key may be left out, but null is refused: the type has no None.
class AchievementPatch(Schema):
    achievement_name: AchievementName = None


class AchievementOut(Schema):
    id: int
    achievement_name: str

    @staticmethod
    def resolve_achievement_name(achievement: Achievement) -> str:
        return achievement.name


class CatIn(Schema):
    """A whole cat, for POST and PUT; absent achievements and image are left as they are."""

    name: CatName
    color: Color
    birth_year: BirthYear
    achievements: list[AchievementIn] = Field(
        None, description="Replaces the cat's achievements; names are matched or created."
    )
    image: Photo = None


class CatPatch(Schema):
    """Any part of a cat, for PATCH: only the keys sent are written."""

    name: CatName = None
    color: Color = None
    birth_year: BirthYear = None
    achievements: list[AchievementIn] = None
    image: Photo = None


class CatOut(Schema):
    id: int
    name: str
    color: str
    birth_year: int
    achievements: list[AchievementOut]
    owner: int = Field(description="The owner's user id.")
    age: int = Field(description="The current year minus birth_year.")
    image: str | None = Field(description="The photo's absolute URL.")
    image_url: str | None = Field(description="The photo's URL as the storage gives it.")

    @staticmethod
    def resolve_achievements(cat: Cat) -> Any:
        return cat.achievements.all()

    @staticmethod
    def resolve_owner(cat: Cat) -> int:
        return cat.owner_id

    @staticmethod
    def resolve_age(cat: Cat) -> int:
        return timezone.localdate().year - cat.birth_year

    @staticmethod
    def resolve_image_url(cat: Cat) -> str | None:
        return cat.image.url if cat.image else None

    @staticmethod
    def resolve_image(cat: Cat, context: dict[str, Any]) -> str | None:
        return context["request"].build_absolute_uri(cat.image.url) if cat.image else None
