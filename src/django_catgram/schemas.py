"""Request and response bodies, each listing its fields."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from ninja import Field, Schema


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
