"""Photos: data URLs and uploads decoded and checked with Pillow before anything is stored."""

from __future__ import annotations

import base64
import binascii
import re
import warnings
from io import BytesIO

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from PIL import Image

from django_catgram.conf import catgram_settings

# Media type words in data URLs, and the Pillow format each must decode as.
FORMATS = {"png": "PNG", "jpeg": "JPEG", "jpg": "JPEG", "gif": "GIF", "webp": "WEBP"}
EXTENSIONS = {"PNG": ".png", "JPEG": ".jpg", "GIF": ".gif", "WEBP": ".webp"}
# Pillow names a JPEG holding several pictures (as many phone cameras write) MPO: still a JPEG.
ALIASES = {"MPO": "JPEG"}
DATA_URL = re.compile(r"data:image/(?P<kind>[a-z]+);base64,(?P<data>.*)", re.DOTALL)


class InvalidImage(ValueError):
    """Why a photo is refused; the API answers it as 400 on ``image``."""


def decode_data_url(value: str) -> ContentFile:
    """A checked photo from ``data:image/<png|jpeg|gif|webp>;base64,<data>``."""
    match = DATA_URL.fullmatch(value.strip())
    if not match or match["kind"] not in FORMATS:
        raise InvalidImage(
            "Send the photo as a data URL: data:image/<png|jpeg|gif|webp>;base64,<data>."
        )
    data = match["data"]
    # Refuse an oversized photo from its length, before decoding it.
    if len(data) // 4 * 3 > catgram_settings.IMAGE_MAX_BYTES + 3:
        raise too_big()
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidImage("The photo's base64 data is invalid or truncated.") from None
    return checked_image(raw, FORMATS[match["kind"]])


def decode_upload(upload: UploadedFile) -> ContentFile:
    """A checked photo from a multipart upload; its declared type, if an image's, must match."""
    if upload.size is not None and upload.size > catgram_settings.IMAGE_MAX_BYTES:
        raise too_big()
    kind = (upload.content_type or "").removeprefix("image/")
    return checked_image(upload.read(), FORMATS.get(kind))


def too_big() -> InvalidImage:
    megabytes = catgram_settings.IMAGE_MAX_BYTES / (1024 * 1024)
    return InvalidImage(f"The photo is larger than {megabytes:g} MB.")


def checked_image(raw: bytes, expected_format: str | None) -> ContentFile:
    """``raw`` as a file to store, if it fully decodes as an allowed image within the limits."""
    if len(raw) > catgram_settings.IMAGE_MAX_BYTES:
        raise too_big()
    try:
        with warnings.catch_warnings():
            # Pillow only warns up to twice its own pixel limit; here that is a refusal too.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            # Only the parsers of the allowed formats ever see the data.
            with Image.open(BytesIO(raw), formats=list(EXTENSIONS)) as image:
                found = ALIASES.get(image.format or "", image.format)
                if found not in EXTENSIONS or expected_format not in (None, found):
                    raise InvalidImage(
                        f"The data is not a valid {(expected_format or 'PNG, JPEG, GIF or WEBP')} "
                        "image."
                    )
                width, height = image.size
                if width * height > catgram_settings.IMAGE_MAX_PIXELS:
                    raise InvalidImage(
                        f"The photo has {width}x{height} pixels, more than the "
                        f"{catgram_settings.IMAGE_MAX_PIXELS} allowed."
                    )
                image.load()  # decodes every pixel: truncated or corrupt data fails here
    except InvalidImage:
        raise
    except (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError,
            Image.DecompressionBombWarning):  # fmt: skip
        raise InvalidImage("Upload a valid image: the data is not a readable image.") from None
    return ContentFile(raw, name=f"photo{EXTENSIONS[found]}")
