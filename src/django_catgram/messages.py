"""Every text the API writes to its clients, each defined once.

The keys and shapes of the bodies they go into are the contract's (DRF's, djoser's and
simplejwt's wording where the original API used theirs); a text with ``{}`` fields is filled in
with ``str.format``. Nothing here imports the rest of the package, so any module may use it.

Each is translated lazily, into the language of the request that writes it (Django's
``LocaleMiddleware``) or the site's ``LANGUAGE_CODE``: ``locale/`` holds the Russian.
"""

from typing import cast

from django.utils.translation import gettext_lazy


def _(message: str) -> str:
    """``gettext_lazy``, typed as the ``str`` that its proxy stands in for wherever a text goes
    (exceptions, bodies), translated when it is used."""
    return cast(str, gettext_lazy(message))


# Authentication, permissions, tokens.
NOT_AUTHENTICATED = _("Authentication credentials were not provided.")
PERMISSION_DENIED = _("You do not have permission to perform this action.")
TOKEN_NOT_VALID = _("Given token not valid for any token type")
TOKEN_INVALID_OR_EXPIRED = _("Token is invalid or expired")
NO_ACCOUNT = _("No active account found with the given credentials")
UNABLE_TO_LOG_IN = _("Unable to log in with provided credentials.")
TOO_MANY_LOGINS = _("Too many login attempts.")
TOO_MANY_REQUESTS = _("Too many requests.")

# Accounts (djoser's).
USERNAME_TAKEN = _("A user with that username already exists.")
INVALID_PASSWORD = _("Invalid password.")
INVALID_UID = _("Invalid user id or user doesn't exist.")
INVALID_LINK_TOKEN = _("Invalid token for given user.")
STALE_TOKEN = _("Stale token for given user.")
ACTIVATION_OFF = _("Account activation is turned off.")

# Bodies.
NOT_AN_OBJECT = _("Invalid data. Expected a dictionary.")
JSON_PARSE_ERROR = _("JSON parse error - {error}")
TOO_DEEP = _("JSON parse error - nested deeper than {limit} levels")
MULTIPART_PARSE_ERROR = _("Multipart form parse error - {error}")
NULL_CHARACTER = _("Null characters are not allowed.")
SURROGATE_CHARACTER = _("Surrogate characters are not allowed: U+{code:X}.")
CONTENT_LENGTH_NOT_A_NUMBER = _("The Content-Length header is not a number.")
BODY_TOO_LARGE = _("Request body exceeds {limit} bytes.")

# Fields.
# DRF's wording for pydantic's error types ("<type> <field_type>" where that changes it);
# placeholders come from the error's context.
FIELD_ERRORS = {
    "missing": _("This field is required."),
    "string_type": _("Not a valid string."),
    "string_too_short": _("This field may not be blank."),
    "string_too_long": _("Ensure this field has no more than {max_length} characters."),
    # Constrained strings behind a validator report the generic length errors.
    "too_short": _("This field may not be blank."),
    "too_long": _("Ensure this field has no more than {max_length} characters."),
    "too_long List": _("Ensure this field has no more than {max_length} elements."),
    "int_type": _("A valid integer is required."),
    "int_parsing": _("A valid integer is required."),
    "int_from_float": _("A valid integer is required."),
    "greater_than_equal": _("Ensure this value is greater than or equal to {ge}."),
    "less_than_equal": _("Ensure this value is less than or equal to {le}."),
    "bool_type": _("Must be a valid boolean."),
    "bool_parsing": _("Must be a valid boolean."),
    "list_type": _("Expected a list of items."),
    "model_type": NOT_AN_OBJECT,
    "model_attributes_type": NOT_AN_OBJECT,
    "dict_type": NOT_AN_OBJECT,
    "extra_forbidden": _("Unknown field."),
}

NO_CSS_COLOUR = _("No CSS colour name for {value!r}.")
AT_LEAST = _("Ensure this value is greater than or equal to {limit}.")
AT_MOST = _("Ensure this value is less than or equal to {limit}.")
ACHIEVEMENT_EXISTS = _("achievement with this achievement name already exists.")
USER_ID_OR_ME = _("Enter a user id or “me”.")

# Photos.
PHOTO_NOT_A_STRING = _("Send the photo as a data URL string, or null to remove it.")
PHOTO_NOT_A_DATA_URL = _(
    "Send the photo as a data URL: data:image/<png|jpeg|gif|webp>;base64,<data>."
)
PHOTO_BAD_BASE64 = _("The photo's base64 data is invalid or truncated.")
PHOTO_TOO_LARGE = _("The photo is larger than {megabytes:g} MB.")
PHOTO_WRONG_KIND = _("The data is not a valid {kind} image.")
PHOTO_TOO_MANY_PIXELS = _("The photo has {width}x{height} pixels, more than the {limit} allowed.")
PHOTO_UNREADABLE = _("Upload a valid image: the data is not a readable image.")

# Paths and methods.
NOT_FOUND = _("Not found.")
INVALID_PAGE = _("Invalid page.")
METHOD_NOT_ALLOWED = _('Method "{method}" not allowed.')
PRECONDITION_FAILED = _("The resource has changed since the version named in If-Match.")

# The server's side.
SERVER_ERROR = _("Internal server error.")
DATABASE_UNAVAILABLE = _("The database is unavailable; try again later.")
PHOTO_NOT_STORED = _("The photo could not be stored; try again later.")
UPLOAD_NOT_STORED = _("The upload could not be stored; try again later.")
LIMIT_UNCHECKED = _("The rate limit cannot be checked right now; try again later.")
