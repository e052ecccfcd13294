"""Who may do what: each rule of access the API applies, in one place.

Every rule reads the authenticated caller (``request.user``); a refusal is 403 ``{"detail"}``,
except where the contract hides what the caller may not see (other users are 404).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja.errors import AuthorizationError

from django_catgram.models import Cat


def caller(request: HttpRequest) -> AbstractBaseUser:
    """The authenticated user (the operations that apply these rules require a login)."""
    return request.user  # type: ignore[return-value]


def check_may_change_cat(request: HttpRequest, cat: Cat) -> None:
    """Only the owner, or staff, may change or delete a cat: 403 for anyone else."""
    user = caller(request)
    if cat.owner_id != user.pk and not user.is_staff:
        raise AuthorizationError()


def check_may_change_achievements(request: HttpRequest) -> None:
    """Anyone logged in reads and adds achievements; only staff change or delete them."""
    if not caller(request).is_staff:
        raise AuthorizationError()


def visible_users(request: HttpRequest) -> QuerySet:
    """Staff see every user; anyone else only themselves."""
    users = get_user_model()._default_manager.order_by("pk")
    return users if caller(request).is_staff else users.filter(pk=caller(request).pk)
