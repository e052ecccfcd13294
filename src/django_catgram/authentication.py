"""The one authentication every protected operation uses: a JWT after Bearer or Token."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest
from ninja.errors import AuthenticationError
from ninja.security.http import HttpAuthBase

from django_catgram import messages
from django_catgram.conf import catgram_settings
from django_catgram.tokens import AccessToken, TokenError, user_for_token

if TYPE_CHECKING:
    from django_catgram.permissions import User


# A rule of access of an operation: called with the request and the path's parameters, it
# raises (AuthorizationError: 403, Http404: 404) unless the caller may go on.
Permission = Callable[..., None]


class JWTAuth(HttpAuthBase):
    """``Authorization: <scheme> <access token>`` with a scheme of ``AUTH_HEADER_TYPES`` (in
    any case).

    Refuses forged, expired, refresh, ``alg: none`` and logged-out tokens, and tokens of
    inactive or deleted users or issued before a password change. Sets ``request.user``.

    With a ``permission`` (``jwt_auth.requiring(rule)``), the caller must also pass it, before
    anything reads the body: as in DRF, a caller who may not write a resource gets 403 (or 404)
    whatever the body, never a 400 that tells what a valid body would be.
    """

    openapi_scheme = "bearer"
    openapi_bearerFormat = "JWT"  # noqa: N815 - the OpenAPI attribute's own name

    def __init__(self, permission: Permission | None = None) -> None:
        super().__init__()
        self.permission = permission

    def requiring(self, permission: Permission) -> JWTAuth:
        """The same authentication, and then ``permission``."""
        return type(self)(permission)

    def __call__(self, request: HttpRequest) -> User | None:
        # A scheme of any case (RFC 9110, 11.1) before any whitespace, then the token.
        scheme, *rest = request.headers.get("Authorization", "").split(None, 1) or [""]
        schemes = {word.casefold() for word in catgram_settings.AUTH_HEADER_TYPES}
        if scheme.casefold() not in schemes or not rest:
            return None
        try:
            token = AccessToken(rest[0].strip())
            user = user_for_token(token)
        except TokenError:
            raise AuthenticationError(401, messages.TOKEN_NOT_VALID) from None
        request.user = user
        request.catgram_access_token = token  # type: ignore[attr-defined]
        if self.permission is not None:
            path: dict[str, Any] = request.resolver_match.kwargs if request.resolver_match else {}
            self.permission(request, **path)
        return user


jwt_auth = JWTAuth()


def presented_token(request: HttpRequest) -> AccessToken:
    """The access token ``jwt_auth`` authenticated the request with."""
    token: AccessToken = request.catgram_access_token  # type: ignore[attr-defined]
    return token
