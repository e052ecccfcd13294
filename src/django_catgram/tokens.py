"""JWTs: django-ninja-jwt's tokens with our lifetimes, a password stamp and a login session.

Every token carries a stamp of its user's password (from Django's session auth hash), so a
changed or reset password ends every token issued before it, and the id of its login session
(``models.LoginSession``), so ending the session ends its access and refresh tokens at once.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connections, router
from ninja_jwt import tokens as jwt_tokens
from ninja_jwt.exceptions import TokenError
from ninja_jwt.settings import api_settings as jwt_settings
from ninja_jwt.tokens import UntypedToken

from django_catgram import compiled, messages
from django_catgram.conf import catgram_settings
from django_catgram.models import LoginSession, own_field

if TYPE_CHECKING:
    from django_catgram.permissions import User

PASSWORD_STAMP_CLAIM = "pwd"
SESSION_CLAIM = "sid"

__all__ = [
    "AccessToken",
    "RefreshToken",
    "TokenError",
    "UntypedToken",
    "issue_tokens",
    "session_id",
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


def new_refresh_token(user: User, session_pk: int) -> RefreshToken:
    """A refresh token of ``user`` in the login session ``session_pk``; its access token carries
    the same claims."""
    # ninja-jwt types for_user's cls as T where it means type[T].
    refresh: RefreshToken = RefreshToken.for_user(user)  # type: ignore[misc, assignment]
    refresh[PASSWORD_STAMP_CLAIM] = password_stamp(user)
    refresh[SESSION_CLAIM] = session_pk
    return refresh


def issue_tokens(refresh: RefreshToken) -> dict[str, Any]:
    """``refresh`` and a new access token of its session, in the body ``auth/token`` returns."""
    return {
        "token": str(refresh.access_token),
        "refresh": str(refresh),
        "expires_in": int(catgram_settings.ACCESS_TOKEN_LIFETIME.total_seconds()),
    }


def user_for_token(token: jwt_tokens.Token) -> User:
    """The active user a verified token belongs to, in one query; TokenError if none.

    The user is read through the token's login session, so that one indexed lookup (whose SQL
    the ORM compiles once, ``compiled.rows``) also tells whether the session is live.
    """
    user_model = get_user_model()
    id_field = own_field(user_model, jwt_settings.USER_ID_FIELD)
    try:
        user_id = id_field.to_python(token.get(jwt_settings.USER_ID_CLAIM))
        id_field.run_validators(user_id)  # in the column's range
    except ValidationError:
        raise TokenError(messages.TOKEN_INVALID_OR_EXPIRED) from None
    sid = session_id(token)
    columns = [field.attname for field in user_model._meta.concrete_fields]
    found = compiled.rows(
        LoginSession,
        ("the user of a token's session", user_model._meta.label, id_field.name),
        lambda: (
            LoginSession.objects.filter(pk=sid)
            .filter(**{f"user__{id_field.name}": user_id})
            .values_list(*(f"user__{name}" for name in columns))
        ),
        [sid, id_field.get_db_prep_value(user_id, connections[router.db_for_read(LoginSession)])],
    )
    if not found:  # no such session of this user: it ended, or the user is gone
        raise TokenError(messages.TOKEN_INVALID_OR_EXPIRED)
    user = user_model.from_db(router.db_for_read(user_model), columns, found[0])
    stamp = token.get(PASSWORD_STAMP_CLAIM)
    if not getattr(user, "is_active", True) or stamp != password_stamp(user):
        raise TokenError(messages.TOKEN_INVALID_OR_EXPIRED)
    return user


def session_id(token: jwt_tokens.Token) -> int:
    """The id of the token's login session; TokenError for a token from before sessions."""
    value = token.get(SESSION_CLAIM)
    if type(value) is not int or not 0 < value < 2**63:  # a BigAutoField's range
        raise TokenError(messages.TOKEN_INVALID_OR_EXPIRED)
    return value
