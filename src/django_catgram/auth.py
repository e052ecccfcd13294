"""Auth: JWT pairs at ``auth/token`` and ``auth/jwt/`` (djoser's layout), djoser's
``token/login/`` and ``token/logout/``, and the caller's login sessions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth import authenticate
from django.db import transaction
from django.http import Http404, HttpRequest
from ninja import Status
from ninja.errors import AuthenticationError
from ninja.pagination import paginate
from ninja_jwt.token_blacklist.models import OutstandingToken

from django_catgram import messages, throttles
from django_catgram.authentication import jwt_auth, presented_token
from django_catgram.errors import InvalidInput
from django_catgram.ids import SESSION_ID
from django_catgram.messages import _
from django_catgram.pagination import PageNumberPagination
from django_catgram.permissions import caller
from django_catgram.routing import CatgramRouter, both_spellings
from django_catgram.schemas import (
    AuthToken,
    BodyErrors,
    Credentials,
    Detail,
    Empty,
    JWTPair,
    RefreshIn,
    SessionOut,
    TokenIn,
    TokenPair,
)
from django_catgram.sessions import (
    continue_session,
    end_own_session,
    end_session,
    end_user_sessions,
    live_sessions,
    start_session,
)
from django_catgram.tokens import (
    AccessToken,
    RefreshToken,
    UntypedToken,
    issue_tokens,
    user_for_token,
)

if TYPE_CHECKING:
    from django_catgram.permissions import User

router = CatgramRouter(tags=["auth"])
LOGIN_ERRORS = {400: BodyErrors, 401: Detail, 429: Detail}
TOKEN_ERRORS = {400: BodyErrors, 401: Detail}


def log_in(request: HttpRequest, credentials: Credentials) -> User | None:
    user: User | None = authenticate(
        request, username=credentials.username, password=credentials.password
    )
    return user


def log_in_or_401(request: HttpRequest, credentials: Credentials) -> RefreshToken:
    """A new session's refresh token, or simplejwt's 401 for bad credentials."""
    user = log_in(request, credentials)
    if user is None:
        raise AuthenticationError(401, messages.NO_ACCOUNT)
    return start_session(request, user)


def rotate(request: HttpRequest, raw_refresh: str) -> RefreshToken:
    """The next refresh token of a live session; the one sent stops working.

    A bad token raises TokenError, which the API answers with 401 (``errors.on_token_error``).
    """
    with transaction.atomic():
        refresh = RefreshToken(raw_refresh)
        user = user_for_token(refresh)
        # Lock the token's row, then look again: of requests refreshing one token at once,
        # only the first gets a new pair.
        outstanding = OutstandingToken.objects.select_for_update().filter(jti=refresh["jti"])
        list(outstanding.values_list("pk", flat=True))
        refresh.check_blacklist()
        refresh.blacklist()
        return continue_session(request, user, refresh)


def verify(raw_token: str) -> None:
    """Raise TokenError unless the token (access or refresh) is still good."""
    token_type = UntypedToken(raw_token).get("token_type")
    user_for_token((RefreshToken if token_type == "refresh" else AccessToken)(raw_token))


def jwt_pair(refresh: RefreshToken) -> dict[str, str]:
    return {"access": str(refresh.access_token), "refresh": str(refresh)}


@both_spellings(
    router,
    "POST",
    "auth/token",
    response={200: TokenPair, **LOGIN_ERRORS},
    throttle=throttles.LOGIN,
    url_name="token-obtain",
    operation_id="obtain_token",
    summary=_("Log in: a JWT access and refresh token"),
)
def obtain_token(request: HttpRequest, credentials: Credentials) -> Any:
    return issue_tokens(log_in_or_401(request, credentials))


@router.post(
    "auth/token/refresh",
    response={200: TokenPair, **TOKEN_ERRORS},
    url_name="token-refresh",
    operation_id="refresh_token",
    summary=_("A new token pair for a refresh token, which stops working"),
)
def refresh_token(request: HttpRequest, body: RefreshIn) -> Any:
    return issue_tokens(rotate(request, body.refresh))


@router.post(
    "auth/token/verify",
    response={200: Empty, **TOKEN_ERRORS},
    url_name="token-verify",
    operation_id="verify_token",
    summary=_("Whether a token (access or refresh) is still good"),
)
def verify_token(request: HttpRequest, body: TokenIn) -> Any:
    verify(body.token)
    return {}


@router.post(
    "auth/token/blacklist",
    response={204: None, **TOKEN_ERRORS},
    url_name="token-blacklist",
    operation_id="blacklist_token",
    summary=_("Stop a refresh token, and its whole session, from working"),
)
def blacklist_token(request: HttpRequest, body: RefreshIn) -> Any:
    refresh = RefreshToken(body.refresh)
    user_for_token(refresh)  # a token of an ended session is 401, as at refresh and verify
    refresh.blacklist()
    end_session(refresh)
    return Status(204, None)


@router.post(
    "auth/jwt/create/",
    response={200: JWTPair, **LOGIN_ERRORS},
    throttle=throttles.LOGIN,
    url_name="jwt-create",
    operation_id="jwt_create",
    summary=_("Log in, djoser's JWT layout: an access and a refresh token"),
)
def jwt_create(request: HttpRequest, credentials: Credentials) -> Any:
    return jwt_pair(log_in_or_401(request, credentials))


@router.post(
    "auth/jwt/refresh/",
    response={200: JWTPair, **TOKEN_ERRORS},
    url_name="jwt-refresh",
    operation_id="jwt_refresh",
    summary=_("djoser's JWT layout: a new access token, and the rotated refresh token"),
)
def jwt_refresh(request: HttpRequest, body: RefreshIn) -> Any:
    return jwt_pair(rotate(request, body.refresh))


@router.post(
    "auth/jwt/verify/",
    response={200: Empty, **TOKEN_ERRORS},
    url_name="jwt-verify",
    operation_id="jwt_verify",
    summary=_("djoser's JWT layout: whether a token is still good"),
)
def jwt_verify(request: HttpRequest, body: TokenIn) -> Any:
    verify(body.token)
    return {}


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
    return {"auth_token": str(start_session(request, user).access_token)}


@router.post(
    "token/logout/",
    auth=jwt_auth,
    response={204: None, 401: Detail},
    url_name="token-logout",
    operation_id="token_logout",
    summary=_("Log out: the access token presented and its whole session stop working at once"),
)
def token_logout(request: HttpRequest) -> Any:
    end_session(presented_token(request))
    return Status(204, None)


@router.get(
    "auth/sessions/",
    auth=jwt_auth,
    response={200: list[SessionOut], 401: Detail, 404: Detail},
    url_name="session-list",
    operation_id="list_sessions",
    summary=_("Your live login sessions, the most recently used first"),
)
@paginate(PageNumberPagination)
def list_sessions(request: HttpRequest) -> Any:
    return live_sessions(caller(request), presented_token(request))


@router.delete(
    f"auth/sessions/{SESSION_ID}/",
    auth=jwt_auth,
    response={204: None, 401: Detail, 404: Detail},
    url_name="session-detail",
    operation_id="end_session",
    summary=_("End one of your sessions: its access and refresh tokens stop working"),
)
def end_one_session(request: HttpRequest, session_id: int) -> Any:
    if not end_own_session(caller(request), session_id):
        raise Http404
    return Status(204, None)


@both_spellings(
    router,
    "POST",
    "auth/logout_all",
    auth=jwt_auth,
    response={204: None, 401: Detail},
    url_name="logout-all",
    operation_id="logout_all",
    summary=_("Log out everywhere: every session of yours ends, this one too"),
)
def logout_all(request: HttpRequest) -> Any:
    end_user_sessions(caller(request))
    return Status(204, None)
