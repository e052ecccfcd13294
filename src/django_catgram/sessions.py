"""Login sessions: a login starts one, a refresh continues it, and ending one ends its tokens.

Each is a ``models.LoginSession`` row, whose id the session's tokens carry (``tokens``): the
token check reads it in the query that reads the user, so a session ended on one device is
ended for every token of it, access and refresh alike.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.signals import user_logged_in
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from django_catgram import messages
from django_catgram.conf import catgram_settings
from django_catgram.models import LoginSession, own_field
from django_catgram.throttles import client_address
from django_catgram.tokens import RefreshToken, TokenError, new_refresh_token, session_id

if TYPE_CHECKING:
    from ninja_jwt.tokens import Token

    from django_catgram.permissions import User


def user_agent(request: HttpRequest) -> str:
    length = own_field(LoginSession, "user_agent").max_length
    return request.headers.get("User-Agent", "")[:length]


def start_session(request: HttpRequest, user: User) -> RefreshToken:
    """Log ``user`` in: a new session, and its first refresh token.

    Sends Django's ``user_logged_in``, which sets ``last_login`` (so password reset links
    mailed before stop working, as Django's reset tokens are made to) and tells other apps.
    """
    now = timezone.now()
    session = LoginSession.objects.create(
        user=user,
        created=now,
        last_used=now,
        expires_at=now + catgram_settings.REFRESH_TOKEN_LIFETIME,
        user_agent=user_agent(request),
        ip=client_address(request),
    )
    user_logged_in.send(sender=type(user), request=request, user=user)
    return new_refresh_token(user, session.pk)


def continue_session(request: HttpRequest, user: User, refresh: Token) -> RefreshToken:
    """The next refresh token of ``refresh``'s session (which ``user_for_token`` found live)."""
    now, pk = timezone.now(), session_id(refresh)
    continued = LoginSession.objects.filter(pk=pk, user=user).update(
        last_used=now,
        expires_at=now + catgram_settings.REFRESH_TOKEN_LIFETIME,
        ip=client_address(request),
    )
    if not continued:  # ended since user_for_token looked
        raise TokenError(messages.TOKEN_INVALID_OR_EXPIRED)
    return new_refresh_token(user, pk)


def end_session(token: Token) -> None:
    """End the session ``token`` belongs to, and so every token of it."""
    LoginSession.objects.filter(pk=session_id(token)).delete()


def end_own_session(user: User, pk: int) -> bool:
    """End ``user``'s session ``pk``; False if they have none of that id."""
    ended, _ = LoginSession.objects.filter(pk=pk, user=user).delete()
    return ended > 0


def end_user_sessions(user: User) -> None:
    """End every session of ``user`` (logged out everywhere)."""
    LoginSession.objects.filter(user=user).delete()


def live_sessions(user: User, current: Token) -> QuerySet[LoginSession]:
    """``user``'s sessions that have not expired, the most recently used first, each with
    ``current``: whether it is the session of the token ``current``."""
    is_current = ExpressionWrapper(Q(pk=session_id(current)), output_field=BooleanField())
    return (
        LoginSession.objects.filter(user=user, expires_at__gt=timezone.now())
        .annotate(current=is_current)
        .order_by("-last_used", "-pk")
    )
