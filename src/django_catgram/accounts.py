"""User accounts: the rules behind the djoser-compatible endpoints, on Django's own machinery."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import PasswordResetTokenGenerator, default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from django_catgram import messages
from django_catgram.conf import catgram_settings
from django_catgram.errors import InvalidInput
from django_catgram.models import own_field
from django_catgram.sessions import end_user_sessions

if TYPE_CHECKING:
    from django_catgram.permissions import User

logger = logging.getLogger(__name__)


class UsernameResetTokenGenerator(PasswordResetTokenGenerator):
    """Like the password reset token, and also spent once the username changes."""

    key_salt = "django_catgram.accounts.UsernameResetTokenGenerator"

    def _make_hash_value(self, user: User, timestamp: int) -> str:
        return super()._make_hash_value(user, timestamp) + user.get_username()


username_token_generator = UsernameResetTokenGenerator()


class ActivationTokenGenerator(PasswordResetTokenGenerator):
    """Like the password reset token, but kept by a login: a link used again after the user
    has logged in is still known, and answered 403 "stale", as djoser does."""

    key_salt = "django_catgram.accounts.ActivationTokenGenerator"

    def _make_hash_value(self, user: User, timestamp: int) -> str:
        return f"{user.pk}{user.password}{timestamp}{getattr(user, email_field(), '')}"


activation_token_generator = ActivationTokenGenerator()


def email_field() -> str:
    return get_user_model().get_email_field_name()


def clean_username(value: str, field: str) -> str:
    """A valid username that nobody has yet, or 400 on ``field``."""
    user_model = get_user_model()
    model_field = own_field(user_model, user_model.USERNAME_FIELD)
    try:
        username: str = model_field.clean(user_model.normalize_username(value), None)
    except ValidationError as error:
        raise InvalidInput.on(field, *error.messages) from None
    if user_model._default_manager.filter(**{user_model.USERNAME_FIELD: username}).exists():
        raise InvalidInput.on(field, messages.USERNAME_TAKEN)
    return username


def clean_email(value: str) -> str:
    """An empty string or a valid address that fits its column, or 400 on ``email``."""
    if not value:
        return ""
    try:
        # The model field's own checks: a valid address, and no longer than the column.
        own_field(get_user_model(), email_field()).clean(value, None)
    except ValidationError as error:
        raise InvalidInput.on("email", *error.messages) from None
    return get_user_model()._default_manager.normalize_email(value)


def check_password(user: User, password: str, field: str) -> None:
    """Validate a new password with the host's AUTH_PASSWORD_VALIDATORS, or 400 on ``field``."""
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        raise InvalidInput.on(field, *error.messages) from None


def check_current_password(user: User, password: str) -> None:
    if not user.check_password(password):
        raise InvalidInput.on("current_password", messages.INVALID_PASSWORD)


def set_email(user: User, email: str) -> list[str]:
    """Give ``user`` the (checked) address, unless the address is the username; the fields set."""
    field = email_field()
    if field == get_user_model().USERNAME_FIELD:
        return []
    setattr(user, field, clean_email(email))
    return [field]


def save_username(user: User, field: str, **save_options: Any) -> None:
    """Save ``user``; a username taken at the same moment by another request is 400 on ``field``."""
    try:
        with transaction.atomic():
            user.save(**save_options)
    except IntegrityError:
        raise InvalidInput.on(field, messages.USERNAME_TAKEN) from None


def register(request: HttpRequest, username: str, password: str, email: str) -> User:
    """Create a user (inactive, with an activation mail, when activation is on)."""
    user_model = get_user_model()
    user = user_model(**{user_model.USERNAME_FIELD: clean_username(username, "username")})
    set_email(user, email)
    check_password(user, password, "password")
    user.set_password(password)
    user.is_active = not catgram_settings.SEND_ACTIVATION_EMAIL
    save_username(user, "username")
    if not user.is_active:
        send_link(request, user, "activation")
    return user


def set_password(user: User, password: str) -> None:
    """Change the password and end every login session: no token issued before works."""
    user.set_password(password)
    user.save(update_fields=["password"])
    end_user_sessions(user)


def user_from_uid(uid: str) -> User:
    """The user a mailed ``uid`` names, or 400 on ``uid``."""
    user_model = get_user_model()
    try:
        pk = user_model._meta.pk.to_python(force_str(urlsafe_base64_decode(uid)))
        return user_model._default_manager.get(pk=pk)
    except (ValueError, TypeError, OverflowError, ValidationError, user_model.DoesNotExist):
        raise InvalidInput.on("uid", messages.INVALID_UID) from None


def user_from_link(uid: str, token: str, generator: PasswordResetTokenGenerator) -> User:
    """The user of a mailed link whose token is still good, or 400 on ``uid`` or ``token``."""
    user = user_from_uid(uid)
    if not generator.check_token(user, token):
        raise InvalidInput.on("token", messages.INVALID_LINK_TOKEN)
    return user


LINKS: dict[str, tuple[str, PasswordResetTokenGenerator]] = {
    "password_reset": ("PASSWORD_RESET_CONFIRM_URL", default_token_generator),
    "username_reset": ("USERNAME_RESET_CONFIRM_URL", username_token_generator),
    "activation": ("ACTIVATION_URL", activation_token_generator),
}


def send_link(request: HttpRequest, user: User, kind: str) -> None:
    """Mail ``user`` a link of ``kind`` (a key of LINKS) made from the link format setting.

    A mail that cannot be sent is logged, not raised, as Django's own password reset form
    does: an error only for addresses that have an account would tell who has one.
    """
    setting, generator = LINKS[kind]
    path = getattr(catgram_settings, setting).format(
        uid=urlsafe_base64_encode(force_bytes(user.pk)), token=generator.make_token(user)
    )
    context: dict[str, Any] = {
        "user": user,
        "url": request.build_absolute_uri("/" + path.lstrip("/")) if "://" not in path else path,
        "site": request.get_host(),
    }
    subject = render_to_string(f"django_catgram/email/{kind}_subject.txt", context, request)
    body = render_to_string(f"django_catgram/email/{kind}.txt", context, request)
    try:
        send_mail(" ".join(subject.split()), body, None, [getattr(user, email_field())])
    except Exception:
        logger.exception("Failed to send the %s mail to user %s", kind, user.pk)


def users_with_email(email: str, *, active: bool) -> list[User]:
    """Users whose address is ``email`` (any case), active or not."""
    if not email:
        return []
    lookup = {f"{email_field()}__iexact": email, "is_active": active}
    return list(get_user_model()._default_manager.filter(**lookup))


def users_for_password_reset(email: str) -> list[User]:
    """Active users with that address and a usable password, as Django's own reset form picks."""
    return list(PasswordResetForm().get_users(email))


def change_username(user: User, new_username: str) -> None:
    """Rename ``user``, or 400 on ``new_username`` (invalid or taken)."""
    username_field = get_user_model().USERNAME_FIELD
    setattr(user, username_field, clean_username(new_username, "new_username"))
    save_username(user, "new_username", update_fields=[username_field])
