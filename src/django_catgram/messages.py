"""Every text the API writes to its clients, each defined once.

The keys and shapes of the bodies they go into are the contract's (DRF's, djoser's and
simplejwt's wording where the original API used theirs); a text with ``{}`` fields is filled in
with ``str.format``. Nothing here imports the rest of the package, so any module may use it.
"""

# Authentication, permissions, tokens.
NOT_AUTHENTICATED = "Authentication credentials were not provided."
PERMISSION_DENIED = "You do not have permission to perform this action."
TOKEN_NOT_VALID = "Given token not valid for any token type"
TOKEN_INVALID_OR_EXPIRED = "Token is invalid or expired"
NO_ACCOUNT = "No active account found with the given credentials"
UNABLE_TO_LOG_IN = "Unable to log in with provided credentials."
TOO_MANY_LOGINS = "Too many login attempts."

# Accounts (djoser's).
USERNAME_TAKEN = "A user with that username already exists."
INVALID_PASSWORD = "Invalid password."
INVALID_UID = "Invalid user id or user doesn't exist."
INVALID_LINK_TOKEN = "Invalid token for given user."
STALE_TOKEN = "Stale token for given user."
ACTIVATION_OFF = "Account activation is turned off."

# Bodies.
NOT_AN_OBJECT = "Invalid data. Expected a dictionary."
JSON_PARSE_ERROR = "JSON parse error - {error}"
TOO_DEEP = "JSON parse error - nested deeper than {limit} levels"
MULTIPART_PARSE_ERROR = "Multipart form parse error - {error}"
NULL_CHARACTER = "Null characters are not allowed."
SURROGATE_CHARACTER = "Surrogate characters are not allowed: U+{code:X}."
CONTENT_LENGTH_NOT_A_NUMBER = "The Content-Length header is not a number."
BODY_TOO_LARGE = "Request body exceeds {limit} bytes."

# Fields.
# DRF's wording for pydantic's error types; placeholders come from the error's context.
FIELD_ERRORS = {
    "missing": "This field is required.",
    "string_type": "Not a valid string.",
    "string_too_short": "This field may not be blank.",
    "string_too_long": "Ensure this field has no more than {max_length} characters.",
    # Constrained strings behind a validator report the generic length errors.
    "too_short": "This field may not be blank.",
    "too_long": "Ensure this field has no more than {max_length} characters.",
    "int_type": "A valid integer is required.",
    "int_parsing": "A valid integer is required.",
    "int_from_float": "A valid integer is required.",
    "greater_than_equal": "Ensure this value is greater than or equal to {ge}.",
    "less_than_equal": "Ensure this value is less than or equal to {le}.",
    "bool_type": "Must be a valid boolean.",
    "bool_parsing": "Must be a valid boolean.",
    "list_type": "Expected a list of items.",
    "model_type": NOT_AN_OBJECT,
    "model_attributes_type": NOT_AN_OBJECT,
    "dict_type": NOT_AN_OBJECT,
    "extra_forbidden": "Unknown field.",
}

NO_CSS_COLOUR = "No CSS colour name for {value!r}."
AT_LEAST = "Ensure this value is greater than or equal to {limit}."
AT_MOST = "Ensure this value is less than or equal to {limit}."
ACHIEVEMENT_EXISTS = "achievement with this achievement name already exists."
USER_ID_OR_ME = "Enter a user id or “me”."

# Photos.
PHOTO_NOT_A_STRING = "Send the photo as a data URL string, or null to remove it."
PHOTO_NOT_A_DATA_URL = "Send the photo as a data URL: data:image/<png|jpeg|gif|webp>;base64,<data>."
PHOTO_BAD_BASE64 = "The photo's base64 data is invalid or truncated."
PHOTO_TOO_LARGE = "The photo is larger than {megabytes:g} MB."
PHOTO_WRONG_KIND = "The data is not a valid {kind} image."
PHOTO_TOO_MANY_PIXELS = "The photo has {width}x{height} pixels, more than the {limit} allowed."
PHOTO_UNREADABLE = "Upload a valid image: the data is not a readable image."

# Paths and methods.
NOT_FOUND = "Not found."
INVALID_PAGE = "Invalid page."
METHOD_NOT_ALLOWED = 'Method "{method}" not allowed.'
PRECONDITION_FAILED = "The resource has changed since the version named in If-Match."

# The server's side.
SERVER_ERROR = "Internal server error."
DATABASE_UNAVAILABLE = "The database is unavailable; try again later."
PHOTO_NOT_STORED = "The photo could not be stored; try again later."
UPLOAD_NOT_STORED = "The upload could not be stored; try again later."
LIMIT_UNCHECKED = "The rate limit cannot be checked right now; try again later."
