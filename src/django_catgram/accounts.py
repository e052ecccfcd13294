"""User accounts: the rules behind the djoser-compatible endpoints, on Django's own machinery."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import PasswordResetTokenGenerator, default_token_generator
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from django_catgram import messages, usernames
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


def clean_username(value: str, field: str, user: User | None = None) -> str:
    """A valid username (NFKC-normalised, as Django does) that no other user has in any case
    (``usernames.folded``), or 400 on ``field``.

    A name taken between this check and the commit fails on the constraint of the names
    (``save_username``): 400 all the same."""
    user_model = get_user_model()
    model_field = own_field(user_model, user_model.USERNAME_FIELD)
    try:
        username: str = model_field.clean(user_model.normalize_username(value), None)
    except ValidationError as error:
        raise InvalidInput.on(field, *error.messages) from None
    if usernames.is_taken(username, user):
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


def changeable_email_field() -> str | None:
    """The user model's address field, or None where the address is the username (which
    changes only as the username does)."""
    field = email_field()
    return None if field == get_user_model().USERNAME_FIELD else field


def set_email(user: User, email: str) -> list[str]:
    """Give ``user`` the (checked) address, unless the address is the username; the fields set."""
    field = changeable_email_field()
    if field is None:
        return []
    setattr(user, field, clean_email(email))
    return [field]


EMAIL_CHANGE_SALT = "django_catgram.accounts.email_change"


def change_email(request: HttpRequest, user: User, email: str) -> list[str]:
    """Give ``user`` the (checked) address, as ``set_email``; the fields set.

    With ``EMAIL_CHANGE_CONFIRMATION``, a new address is only mailed a link, and set when it is
    followed (``confirm_email_change``): nothing is set yet. Clearing the address needs no link,
    and the old address is told.
    """
    field = changeable_email_field()
    if not catgram_settings.EMAIL_CHANGE_CONFIRMATION or field is None:
        return set_email(user, email)
    old, new = getattr(user, field), clean_email(email)
    if new and new != old:
        change = {"user": str(user.pk), "from": old, "to": new}
        token = signing.dumps(change, salt=EMAIL_CHANGE_SALT)
        url = link(request, "EMAIL_CHANGE_CONFIRM_URL", user, token)
        send(request, user, "email_change", new, url=url)
        return []
    if new != old:
        tell_old_address(request, user, old, new)
    setattr(user, field, new)
    return [field]


def confirm_email_change(request: HttpRequest, uid: str, token: str) -> None:
    """Set the address a mailed change link names, or 400 on ``uid`` or ``token``.

    A link works until the account's address changes (so once), for as long as a password
    reset link (``PASSWORD_RESET_TIMEOUT``).
    """
    user = user_from_uid(uid)
    field = changeable_email_field()
    if field is None:  # no link is mailed then
        raise InvalidInput.on("token", messages.INVALID_LINK_TOKEN)
    old = getattr(user, field)
    try:
        change = signing.loads(
            token, salt=EMAIL_CHANGE_SALT, max_age=settings.PASSWORD_RESET_TIMEOUT
        )
    except signing.BadSignature:
        raise InvalidInput.on("token", messages.INVALID_LINK_TOKEN) from None
    if change.get("user") != str(user.pk) or change.get("from") != old:
        raise InvalidInput.on("token", messages.INVALID_LINK_TOKEN)
    setattr(user, field, change["to"])
    user.save(update_fields=[field])
    tell_old_address(request, user, old, change["to"])


def tell_old_address(request: HttpRequest, user: User, old: str, new: str) -> None:
    if old:
        transaction.on_commit(lambda: send(request, user, "email_changed", old, new_address=new))


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


def set_password(request: HttpRequest, user: User, password: str) -> None:
    """Change the password and end every login session (no token issued before works); tell
    the user."""
    user.set_password(password)
    user.save(update_fields=["password"])
    end_user_sessions(user)
    notify(request, user, "password_changed")


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


def link(request: HttpRequest, setting: str, user: User, token: str) -> str:
    """The absolute URL the link format setting names, for ``user`` and ``token``."""
    path = getattr(catgram_settings, setting).format(
        uid=urlsafe_base64_encode(force_bytes(user.pk)), token=token
    )
    return request.build_absolute_uri("/" + path.lstrip("/")) if "://" not in path else path


def send(request: HttpRequest, user: User, kind: str, address: str, **context: Any) -> None:
    """Mail ``address`` the mail ``kind`` (templates ``django_catgram/email/<kind>*.txt``).

    A mail that cannot be sent is logged, not raised, as Django's own password reset form
    does: an error only for addresses that have an account would tell who has one, and a
    notice that fails must not undo the change it tells of.
    """
    context = {"user": user, "site": request.get_host(), **context}
    subject = render_to_string(f"django_catgram/email/{kind}_subject.txt", context, request)
    body = render_to_string(f"django_catgram/email/{kind}.txt", context, request)
    try:
        send_mail(" ".join(subject.split()), body, None, [address])
    except Exception:
        logger.exception("Failed to send the %s mail to user %s", kind, user.pk)


def send_link(request: HttpRequest, user: User, kind: str) -> None:
    """Mail ``user`` a link of ``kind`` (a key of LINKS) made from the link format setting."""
    setting, generator = LINKS[kind]
    url = link(request, setting, user, generator.make_token(user))
    send(request, user, kind, getattr(user, email_field()), url=url)


NOTICES = {
    "password_changed": "PASSWORD_CHANGED_EMAIL_CONFIRMATION",
    "username_changed": "USERNAME_CHANGED_EMAIL_CONFIRMATION",
}


def notify(request: HttpRequest, user: User, kind: str) -> None:
    """Once the change commits, tell ``user`` of it (a key of NOTICES) at their address, if
    they have one and the notice's setting is on, so a hijacked account's owner learns of it."""
    address = getattr(user, email_field(), "")
    if address and getattr(catgram_settings, NOTICES[kind]):
        transaction.on_commit(lambda: send(request, user, kind, address))


def users_with_email(email: str, *, active: bool) -> list[User]:
    """Users whose address is ``email`` (any case), active or not."""
    if not email:
        return []
    lookup = {f"{email_field()}__iexact": email, "is_active": active}
    return list(get_user_model()._default_manager.filter(**lookup))


def users_for_password_reset(email: str) -> list[User]:
    """Active users with that address and a usable password, as Django's own reset form picks."""
    return list(PasswordResetForm().get_users(email))


def change_username(request: HttpRequest, user: User, new_username: str) -> None:
    """Rename ``user``, or 400 on ``new_username`` (invalid or taken); tell the user."""
    username_field = get_user_model().USERNAME_FIELD
    setattr(user, username_field, clean_username(new_username, "new_username", user))
    save_username(user, "new_username", update_fields=[username_field])
    notify(request, user, "username_changed")
