"""Who may do what: each rule of access the API applies, in one place.

Every rule reads the authenticated caller (``request.user``); a refusal is 403 ``{"detail"}``,
except where the contract hides what the caller may not see (other users are 404).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from ninja.errors import AuthorizationError

from django_catgram.models import Achievement, Cat

if TYPE_CHECKING:
    from typing import TypeAlias

    from django.contrib.auth.models import _User

    # The host's user model (AUTH_USER_MODEL), which django-stubs' plugin puts for ``_User``.
    User: TypeAlias = _User


def caller(request: HttpRequest) -> User:
    """The authenticated user (the operations that apply these rules require a login)."""
    # The operation's auth (jwt_auth) set request.user: never AnonymousUser here.
    return cast("User", request.user)


def may_change_cat(request: HttpRequest, cat_id: int) -> None:
    """Only the owner, or staff, may change or delete a cat: 403 for anyone else, 404 if there
    is no such cat."""
    owner = Cat.objects.filter(pk=cat_id).values_list("owner_id", flat=True).first()
    if owner is None:
        raise Http404
    user = caller(request)
    if owner != user.pk and not user.is_staff:
        raise AuthorizationError()


def may_change_achievement(request: HttpRequest, achievement_id: int) -> None:
    """Anyone logged in reads and adds achievements; only staff change or delete them: 403
    for anyone else whatever the id, then 404 if there is no such achievement."""
    if not caller(request).is_staff:
        raise AuthorizationError()
    if not Achievement.objects.filter(pk=achievement_id).exists():
        raise Http404


def visible_users(request: HttpRequest) -> QuerySet[User]:
    """Staff see every user; anyone else only themselves."""
    users = get_user_model()._default_manager.order_by("pk")
    return users if caller(request).is_staff else users.filter(pk=caller(request).pk)
