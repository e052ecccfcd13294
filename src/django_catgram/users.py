"""Users, djoser-compatible: registration, ``me``, passwords, usernames, resets, activation."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.http import Http404, HttpRequest
from ninja import Status
from ninja.errors import AuthorizationError
from ninja.pagination import paginate

from django_catgram import accounts, messages, throttles
from django_catgram.authentication import jwt_auth
from django_catgram.conf import catgram_settings
from django_catgram.errors import InvalidInput
from django_catgram.ids import USER_ID
from django_catgram.messages import _
from django_catgram.pagination import PageNumberPagination
from django_catgram.permissions import caller, visible_users
from django_catgram.routing import CatgramRouter
from django_catgram.schemas import (
    BodyErrors,
    CurrentPassword,
    Detail,
    EmailIn,
    PasswordResetConfirm,
    SetPassword,
    SetUsername,
    UidToken,
    UserChange,
    UserCreate,
    UsernameResetConfirm,
    UserOut,
)
from django_catgram.signals import (
    send_after_commit,
    user_activated,
    user_registered,
    user_updated,
)

if TYPE_CHECKING:
    from django_catgram.permissions import User

router = CatgramRouter(tags=["users"], auth=jwt_auth)
ME = "me"
AUTH_ERRORS = {401: Detail}


def target_user(request: HttpRequest, user_id: str) -> User:
    """``me`` or a user id the caller may see; others' ids are 404 for non-staff."""
    if user_id == ME:
        return caller(request)
    try:  # the path's converter (ids.UserId) has checked the id
        return visible_users(request).get(pk=int(user_id))
    except get_user_model().DoesNotExist:
        raise Http404 from None


def may_see_user(request: HttpRequest, user_id: str) -> None:
    """The permission of a change of ``users/{id}/``: 404 for a user the caller may not see,
    whatever the body."""
    target_user(request, user_id)


# A change of a user: checked before the body is read.
VISIBLE_USER = jwt_auth.requiring(may_see_user)


def update_email(request: HttpRequest, user: User, email: str | None) -> User:
    if email is not None and (changed := accounts.change_email(request, user, email)):
        user.save(update_fields=changed)
    send_after_commit(user_updated, type(user), user=user, request=request)
    return user


@router.post(
    "users/",
    auth=None,
    throttle=throttles.REGISTRATION,
    response={201: UserOut, 400: BodyErrors, 429: Detail},
    url_name="user-create",
    operation_id="create_user",
    summary=_("Register"),
)
def create_user(request: HttpRequest, body: UserCreate) -> Any:
    user = accounts.register(request, body.username, body.password, body.email)
    send_after_commit(user_registered, type(user), user=user, request=request)
    return Status(201, user)


@router.get(
    "users/",
    response={200: list[UserOut], **AUTH_ERRORS, 404: Detail},
    url_name="user-list",
    operation_id="list_users",
    summary=_("Users: staff see all, anyone else only themselves"),
)
@paginate(PageNumberPagination)
def list_users(request: HttpRequest) -> Any:
    return visible_users(request)


@router.post(
    "users/set_password/",
    response={204: None, 400: BodyErrors, **AUTH_ERRORS},
    url_name="user-set-password",
    operation_id="set_password",
    summary=_("Change your password; tokens issued before stop working"),
)
def set_password(request: HttpRequest, body: SetPassword) -> Any:
    accounts.check_current_password(caller(request), body.current_password)
    accounts.check_password(caller(request), body.new_password, "new_password")
    accounts.set_password(request, caller(request), body.new_password)
    return Status(204, None)


@router.post(
    "users/set_username/",
    response={204: None, 400: BodyErrors, **AUTH_ERRORS},
    url_name="user-set-username",
    operation_id="set_username",
    summary=_("Change your username"),
)
def set_username(request: HttpRequest, body: SetUsername) -> Any:
    accounts.check_current_password(caller(request), body.current_password)
    accounts.change_username(request, caller(request), body.new_username)
    return Status(204, None)


@router.post(
    "users/reset_password/",
    auth=None,
    throttle=throttles.RESET,
    response={204: None, 400: BodyErrors, 429: Detail},
    url_name="user-reset-password",
    operation_id="reset_password",
    summary=_("Mail a password reset link (204 whether or not the address is known)"),
)
def reset_password(request: HttpRequest, body: EmailIn) -> Any:
    for user in accounts.users_for_password_reset(body.email):
        accounts.send_link(request, user, "password_reset")
    return Status(204, None)


@router.post(
    "users/reset_password_confirm/",
    auth=None,
    throttle=throttles.RESET,
    response={204: None, 400: BodyErrors, 429: Detail},
    url_name="user-reset-password-confirm",
    operation_id="reset_password_confirm",
    summary=_("Set a new password with the mailed uid and token (each token works once)"),
)
def reset_password_confirm(request: HttpRequest, body: PasswordResetConfirm) -> Any:
    user = accounts.user_from_link(body.uid, body.token, default_token_generator)
    accounts.check_password(user, body.new_password, "new_password")
    accounts.set_password(request, user, body.new_password)
    return Status(204, None)


@router.post(
    "users/reset_username/",
    auth=None,
    throttle=throttles.RESET,
    response={204: None, 400: BodyErrors, 429: Detail},
    url_name="user-reset-username",
    operation_id="reset_username",
    summary=_("Mail a username reset link (204 whether or not the address is known)"),
)
def reset_username(request: HttpRequest, body: EmailIn) -> Any:
    for user in accounts.users_with_email(body.email, active=True):
        accounts.send_link(request, user, "username_reset")
    return Status(204, None)


@router.post(
    "users/reset_username_confirm/",
    auth=None,
    throttle=throttles.RESET,
    response={204: None, 400: BodyErrors, 429: Detail},
    url_name="user-reset-username-confirm",
    operation_id="reset_username_confirm",
    summary=_("Set a new username with the mailed uid and token (each token works once)"),
)
def reset_username_confirm(request: HttpRequest, body: UsernameResetConfirm) -> Any:
    user = accounts.user_from_link(body.uid, body.token, accounts.username_token_generator)
    accounts.change_username(request, user, body.new_username)
    return Status(204, None)


@router.post(
    "users/activation/",
    auth=None,
    throttle=throttles.RESET,
    response={204: None, 400: BodyErrors, 403: Detail, 429: Detail},
    url_name="user-activation",
    operation_id="activate_user",
    summary=_("Activate an account with the mailed uid and token"),
)
def activate_user(request: HttpRequest, body: UidToken) -> Any:
    user = accounts.user_from_link(body.uid, body.token, accounts.activation_token_generator)
    if user.is_active:
        raise AuthorizationError(403, messages.STALE_TOKEN)
    user.is_active = True
    user.save(update_fields=["is_active"])
    send_after_commit(user_activated, type(user), user=user, request=request)
    return Status(204, None)


@router.post(
    "users/resend_activation/",
    auth=None,
    throttle=throttles.RESET,
    response={204: None, 400: BodyErrors, 429: Detail},
    url_name="user-resend-activation",
    operation_id="resend_activation",
    summary=_("Mail the activation link again (204 for any address); 400 while activation is off"),
)
def resend_activation(request: HttpRequest, body: EmailIn) -> Any:
    if not catgram_settings.SEND_ACTIVATION_EMAIL:
        raise InvalidInput.on("non_field_errors", messages.ACTIVATION_OFF)
    for user in accounts.users_with_email(body.email, active=False):
        accounts.send_link(request, user, "activation")
    return Status(204, None)


@router.post(
    "users/email_change_confirm/",
    auth=None,
    throttle=throttles.RESET,
    response={204: None, 400: BodyErrors, 429: Detail},
    url_name="user-email-change-confirm",
    operation_id="email_change_confirm",
    summary=_("Set the new address with the uid and token mailed to it (each link works once)"),
)
def email_change_confirm(request: HttpRequest, body: UidToken) -> Any:
    accounts.confirm_email_change(request, body.uid, body.token)
    return Status(204, None)


# After the users/<action>/ paths, which would otherwise be taken for user ids.
USER_PATH = f"users/{USER_ID}/"


@router.get(
    USER_PATH,
    response={200: UserOut, **AUTH_ERRORS, 404: Detail},
    url_name="user-detail",
    operation_id="get_user",
    summary=_("A user: `me`, yourself by id, or anyone for staff"),
)
def get_user(request: HttpRequest, user_id: str) -> Any:
    return target_user(request, user_id)


# PUT and PATCH alike, as UserChange's one field is optional in both. (Ninja registers the lower
# decorator first, which keeps PUT before PATCH in the schema.)
@router.patch(
    USER_PATH,
    response={200: UserOut, 400: BodyErrors, **AUTH_ERRORS, 404: Detail},
    url_name="user-partial-update",
    operation_id="partial_update_user",
    auth=VISIBLE_USER,
    summary=_("Change a user's email if given"),
)
@router.put(
    USER_PATH,
    response={200: UserOut, 400: BodyErrors, **AUTH_ERRORS, 404: Detail},
    url_name="user-update",
    operation_id="update_user",
    auth=VISIBLE_USER,
    summary=_("Change a user's email (the username is read-only here)"),
)
def change_user(request: HttpRequest, user_id: str, body: UserChange) -> Any:
    return update_email(request, target_user(request, user_id), body.email)


@router.delete(
    USER_PATH,
    response={204: None, 400: BodyErrors, **AUTH_ERRORS, 404: Detail},
    url_name="user-delete",
    operation_id="delete_user",
    auth=VISIBLE_USER,
    summary=_("Delete a user, confirmed with the caller's current password"),
)
def delete_user(request: HttpRequest, user_id: str, body: CurrentPassword) -> Any:
    user = target_user(request, user_id)
    accounts.check_current_password(caller(request), body.current_password)
    user.delete()
    return Status(204, None)
