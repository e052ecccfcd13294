"""Auth: JWT pairs at ``auth/token`` and djoser's ``token/login/`` and ``token/logout/``."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.db import transaction
from django.http import HttpRequest
from ninja import Status
from ninja.errors import AuthenticationError
from ninja_jwt.token_blacklist.models import OutstandingToken

from django_catgram import messages, throttles
from django_catgram.authentication import jwt_auth
from django_catgram.errors import InvalidInput
from django_catgram.messages import _
from django_catgram.routing import CatgramRouter, both_spellings
from django_catgram.schemas import (
    AuthToken,
    BodyErrors,
    Credentials,
    Detail,
    Empty,
    RefreshIn,
    TokenIn,
    TokenPair,
)
from django_catgram.tokens import (
    AccessToken,
    RefreshToken,
    UntypedToken,
    issue_tokens,
    revoke,
    user_for_token,
)

router = CatgramRouter(tags=["auth"])


def log_in(request: HttpRequest, credentials: Credentials) -> Any:
    return authenticate(request, username=credentials.username, password=credentials.password)


@both_spellings(
    router,
    "POST",
    "auth/token",
    response={200: TokenPair, 400: BodyErrors, 401: Detail, 429: Detail},
    throttle=throttles.LOGIN,
    url_name="token-obtain",
    operation_id="obtain_token",
    summary=_("Log in: a JWT access and refresh token"),
)
def obtain_token(request: HttpRequest, credentials: Credentials) -> Any:
    user = log_in(request, credentials)
    if user is None:
        raise AuthenticationError(401, messages.NO_ACCOUNT)
    return issue_tokens(user)


@router.post(
    "auth/token/refresh",
    response={200: TokenPair, 400: BodyErrors, 401: Detail},
    url_name="token-refresh",
    operation_id="refresh_token",
    summary=_("A new token pair for a refresh token, which stops working"),
)
def refresh_token(request: HttpRequest, body: RefreshIn) -> Any:
    # A bad token raises TokenError, which the API answers with 401 (errors.on_token_error).
    with transaction.atomic():
        refresh = RefreshToken(body.refresh)
        user = user_for_token(refresh)
        # Lock the token's row, then look again: of requests refreshing one token at once,
        # only the first gets a new pair.
        outstanding = OutstandingToken.objects.select_for_update().filter(jti=refresh["jti"])
        list(outstanding.values_list("pk", flat=True))
        refresh.check_blacklist()
        refresh.blacklist()
    return issue_tokens(user)


@router.post(
    "auth/token/verify",
    response={200: Empty, 400: BodyErrors, 401: Detail},
    url_name="token-verify",
    operation_id="verify_token",
    summary=_("Whether a token (access or refresh) is still good"),
)
def verify_token(request: HttpRequest, body: TokenIn) -> Any:
    token_type = UntypedToken(body.token).get("token_type")
    user_for_token((RefreshToken if token_type == "refresh" else AccessToken)(body.token))
    return {}


@router.post(
    "auth/token/blacklist",
    response={204: None, 400: BodyErrors, 401: Detail},
    url_name="token-blacklist",
    operation_id="blacklist_token",
    summary=_("Stop a refresh token from working"),
)
def blacklist_token(request: HttpRequest, body: RefreshIn) -> Any:
    RefreshToken(body.refresh).blacklist()
    return Status(204, None)


@both_spellings(
    router,
    "POST",
    "token/login/",
    response={200: AuthToken, 400: BodyErrors, 429: Detail},
    throttle=throttles.LOGIN,
    url_name="token-login",
    operation_id="token_login",
    summary=_("Log in, djoser style: an access token for `Authorization: Token <token>`"),
)
def token_login(request: HttpRequest, credentials: Credentials) -> Any:
    user = log_in(request, credentials)
    if user is None:
        raise InvalidInput.on("non_field_errors", messages.UNABLE_TO_LOG_IN)
    return {"auth_token": issue_tokens(user)["token"]}


@router.post(
    "token/logout/",
    auth=jwt_auth,
    response={204: None, 401: Detail},
    url_name="token-logout",
    operation_id="token_logout",
    summary=_("Log out: the access token presented stops working at once"),
)
def token_logout(request: HttpRequest) -> Any:
    revoke(request.catgram_access_token)  # type: ignore[attr-defined]
    return Status(204, None)
