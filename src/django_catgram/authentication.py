"""The one authentication every protected operation uses: a JWT after Bearer or Token."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest
from ninja.errors import AuthenticationError
from ninja.security.http import HttpAuthBase

from django_catgram import messages
from django_catgram.conf import catgram_settings
from django_catgram.tokens import AccessToken, TokenError, user_for_token

if TYPE_CHECKING:
    from django_catgram.permissions import User


class JWTAuth(HttpAuthBase):
    """``Authorization: <scheme> <access token>`` with a scheme of ``AUTH_HEADER_TYPES``.

    Refuses forged, expired, refresh, ``alg: none`` and logged-out tokens, and tokens of
    inactive or deleted users or issued before a password change. Sets ``request.user``.
    """

    openapi_scheme = "bearer"
    openapi_bearerFormat = "JWT"  # noqa: N815 - the OpenAPI attribute's own name

    def __call__(self, request: HttpRequest) -> User | None:
        scheme, _, raw_token = request.headers.get("Authorization", "").partition(" ")
        if scheme not in catgram_settings.AUTH_HEADER_TYPES or not raw_token.strip():
            return None
        try:
            token = AccessToken(raw_token.strip())
            user = user_for_token(token)
        except TokenError:
            raise AuthenticationError(401, messages.TOKEN_NOT_VALID) from None
        request.user = user
        request.catgram_access_token = token  # type: ignore[attr-defined]
        return user


jwt_auth = JWTAuth()


def presented_token(request: HttpRequest) -> AccessToken:
    """The access token ``jwt_auth`` authenticated the request with."""
    token: AccessToken = request.catgram_access_token  # type: ignore[attr-defined]
    return token
