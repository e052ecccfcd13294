"""JWTs: django-ninja-jwt's tokens with our lifetimes, a password stamp and revocation checks.

Every token carries a stamp of its user's password (from Django's session auth hash), so a
changed or reset password ends every token issued before it, with no state to keep.
"""

from __future__ import annotations

import functools
from datetime import timedelta
from typing import TYPE_CHECKING, Any, cast

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connections, router
from django.db.models import Model
from ninja_jwt import tokens as jwt_tokens
from ninja_jwt.exceptions import TokenError
from ninja_jwt.settings import api_settings as jwt_settings
from ninja_jwt.tokens import UntypedToken
from ninja_jwt.utils import datetime_from_epoch

from django_catgram import messages
from django_catgram.conf import catgram_settings
from django_catgram.models import RevokedAccessToken, own_field

if TYPE_CHECKING:
    from django_catgram.permissions import User

PASSWORD_STAMP_CLAIM = "pwd"

__all__ = [
    "AccessToken",
    "RefreshToken",
    "TokenError",
    "UntypedToken",
    "issue_tokens",
    "revoke",
    "user_for_token",
]


def password_stamp(user: User) -> str:
    """A short digest that changes whenever the user's password changes."""
    return user.get_session_auth_hash()[:16]


class AccessToken(jwt_tokens.AccessToken):
    """An access token living ``CATGRAM["ACCESS_TOKEN_LIFETIME"]``."""

    @property
    def lifetime(self) -> timedelta:  # type: ignore[override]
        return catgram_settings.ACCESS_TOKEN_LIFETIME


class RefreshToken(jwt_tokens.RefreshToken):
    """A refresh token living ``CATGRAM["REFRESH_TOKEN_LIFETIME"]``, blacklisted when used."""

    access_token_class = AccessToken

    @property
    def lifetime(self) -> timedelta:  # type: ignore[override]
        return catgram_settings.REFRESH_TOKEN_LIFETIME


def issue_tokens(user: User) -> dict[str, Any]:
    """A new refresh and access token pair for ``user``, in the body ``auth/token`` returns."""
    # ninja-jwt types for_user's cls as T where it means type[T].
    refresh: RefreshToken = RefreshToken.for_user(user)  # type: ignore[misc, assignment]
    refresh[PASSWORD_STAMP_CLAIM] = password_stamp(user)
    return {
        "token": str(refresh.access_token),
        "refresh": str(refresh),
        "expires_in": int(catgram_settings.ACCESS_TOKEN_LIFETIME.total_seconds()),
    }


def jti_claim() -> str:
    """ninja-jwt's JTI_CLAIM, which it types as optional though its tokens always carry one."""
    return cast(str, jwt_settings.JTI_CLAIM)


def column(model: type[Model], name: str) -> str:
    """The column of ``model``'s field ``name`` in its table."""
    found = own_field(model, name).column
    assert found is not None, "only a composite relation has no column, and no token names one"
    return found


@functools.cache
def user_query(user_model: type[User], alias: str) -> str:
    """SQL for a user by token id, with whether a token id was logged out, built once.

    The ORM compiles this query anew on every request, which the profile showed to be a large
    part of a small request's time; the SQL itself never changes.
    """
    quote = connections[alias].ops.quote_name
    user_table = quote(user_model._meta.db_table)
    id_column = quote(column(user_model, jwt_settings.USER_ID_FIELD))
    revoked_jti = quote(column(RevokedAccessToken, "jti"))
    return (
        f"SELECT {user_table}.*, EXISTS(SELECT 1 FROM {quote(RevokedAccessToken._meta.db_table)} "
        f"WHERE {revoked_jti} = %s) AS catgram_token_revoked "
        f"FROM {user_table} WHERE {user_table}.{id_column} = %s"
    )


def user_for_token(token: jwt_tokens.Token) -> User:
    """The active user a verified token belongs to, in one query; TokenError if none.

    The same query tells whether the token was logged out, so authenticating a request costs
    one indexed lookup.
    """
    user_model = get_user_model()
    alias = router.db_for_read(user_model)
    id_field = own_field(user_model, jwt_settings.USER_ID_FIELD)
    try:
        user_id = id_field.get_db_prep_value(
            id_field.to_python(token.get(jwt_settings.USER_ID_CLAIM)), connections[alias]
        )
    except ValidationError:
        raise TokenError(messages.TOKEN_INVALID_OR_EXPIRED) from None
    jti = token.get(jti_claim())
    found = list(
        user_model._default_manager.db_manager(alias).raw(
            user_query(user_model, alias), [jti, user_id]
        )
    )
    user = found[0] if found else None
    if (
        user is None
        or user.catgram_token_revoked  # type: ignore[attr-defined]  # a column of user_query
        or not getattr(user, "is_active", True)
        or token.get(PASSWORD_STAMP_CLAIM) != password_stamp(user)
    ):
        raise TokenError(messages.TOKEN_INVALID_OR_EXPIRED)
    return user


def revoke(token: AccessToken) -> None:
    """Refuse ``token`` from now on, and forget revoked tokens that have expired anyway."""
    expires_at = datetime_from_epoch(token["exp"])
    RevokedAccessToken.objects.filter(expires_at__lt=token.current_time).delete()
    RevokedAccessToken.objects.get_or_create(
        jti=token[jti_claim()], defaults={"expires_at": expires_at}
    )
