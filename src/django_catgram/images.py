"""Photos: data URLs and uploads decoded and checked with Pillow, then stored as a fresh encoding.

Nothing of what the client sent is stored but the pixels: the photo is decoded, turned upright
by its EXIF orientation, converted to sRGB, scaled down to the largest stored size, and encoded
anew in its own format with no metadata (EXIF with its GPS position, XMP, IPTC, comments, colour
profile, data after the image). A thumbnail is made from the same pixels.

Memory is bounded by the stored size, not the sent one: a JPEG is decoded by its own DCT scaling
straight to about the stored size (a 12-megapixel photo at half its width and height, see
``loaded``), a data URL is decoded piece by piece, and an upload is read from its file.
"""

from __future__ import annotations

import base64
import io
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from io import BytesIO
from pathlib import PurePath
from typing import IO, Any, cast

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from PIL import Image, ImageCms, ImageOps

from django_catgram import messages
from django_catgram.conf import catgram_settings

# Media type words in data URLs, and the Pillow format each must decode as.
FORMATS = {"png": "PNG", "jpeg": "JPEG", "jpg": "JPEG", "gif": "GIF", "webp": "WEBP"}
EXTENSIONS = {"PNG": ".png", "JPEG": ".jpg", "GIF": ".gif", "WEBP": ".webp"}
# Pillow names a JPEG holding several pictures (as many phone cameras write) MPO: still a JPEG.
ALIASES = {"MPO": "JPEG"}
DATA_URL = re.compile(r"\s*data:image/(?P<kind>[a-z]+);base64,", re.ASCII)
BASE64 = re.compile(r"[A-Za-z0-9+/]*={0,2}", re.ASCII)
# Modes each format can encode; any other mode is converted first (see ``encodable``).
SAVED_MODES = {
    "JPEG": {"L", "RGB", "CMYK"},
    "PNG": {"1", "L", "LA", "P", "RGB", "RGBA"},
    "GIF": {"L", "P", "RGB"},
    "WEBP": {"RGB", "RGBA"},
}
# Modes Pillow resamples with a real filter; it resizes palette and bilevel images pixel by pixel.
RESAMPLED_MODES = {"L", "LA", "RGB", "RGBA", "CMYK"}
# Greyscale of more than 8 bits (a 16-bit PNG): stored as 8 bits, as browsers show it.
WIDE_GREY_MODES = {"I;16", "I;16B", "I;16L", "I", "F"}
# The share of the largest stored size a JPEG's reduced decoding may fall short of it by.
DRAFT_KEEPS = 0.75
SRGB = ImageCms.createProfile("sRGB")


class InvalidImage(ValueError):
    """Why a photo is refused; the API answers it as 400 on ``image``."""


@dataclass(frozen=True, slots=True)
class EncodedPhoto:
    """A checked photo as it is stored: the photo and its thumbnail, encoded anew."""

    photo: ContentFile[bytes]
    thumbnail: ContentFile[bytes]


def thumbnail_path(photo_name: str) -> str:
    """The thumbnail's name beside its photo: ``<photo>-thumbnail.<extension>``."""
    path = PurePath(photo_name)
    return str(path.with_name(f"{path.stem}-thumbnail{path.suffix}"))


def decode_data_url(value: str) -> EncodedPhoto:
    """A checked photo from ``data:image/<png|jpeg|gif|webp>;base64,<data>``."""
    match = DATA_URL.match(value)
    if not match or match["kind"] not in FORMATS:
        raise InvalidImage(messages.PHOTO_NOT_A_DATA_URL)
    start, end = match.end(), len(value.rstrip())
    if (end - start) % 4 or not BASE64.fullmatch(value, start, end):
        raise InvalidImage(messages.PHOTO_BAD_BASE64)
    data = Base64Reader(value, start, end)
    if data.size > catgram_settings.IMAGE_MAX_BYTES:
        raise too_big()
    # A raw binary file, which typeshed does not count as an IO[bytes]; Pillow reads it as one.
    return encoded_photo(cast("IO[bytes]", data), FORMATS[match["kind"]])


class Base64Reader(io.RawIOBase):
    """A file of the bytes that ``text[start:end]`` (checked base64) encodes, decoded as they
    are read: the photo of a data URL is never held decoded beside its text."""

    def __init__(self, text: str, start: int, end: int) -> None:
        super().__init__()
        self.text, self.start = text, start
        self.size = (end - start) // 4 * 3 - (text.count("=", max(start, end - 2), end))
        self.position = 0

    def tell(self) -> int:
        return self.position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        origin = {io.SEEK_SET: 0, io.SEEK_CUR: self.position, io.SEEK_END: self.size}[whence]
        self.position = max(0, origin + offset)
        return self.position

    def readinto(self, buffer: Any) -> int:
        wanted = min(len(buffer), self.size - self.position)
        if wanted <= 0:
            return 0
        # Whole groups of four characters, each encoding three bytes.
        first, last = self.position // 3, (self.position + wanted + 2) // 3
        decoded = base64.b64decode(self.text[self.start + first * 4 : self.start + last * 4])
        skip = self.position - first * 3
        buffer[:wanted] = decoded[skip : skip + wanted]
        self.position += wanted
        return wanted


def decode_upload(upload: UploadedFile[bytes]) -> EncodedPhoto:
    """A checked photo from a multipart upload; its declared type, if an image's, must match."""
    if upload.size is not None and upload.size > catgram_settings.IMAGE_MAX_BYTES:
        raise too_big()
    kind = (upload.content_type or "").removeprefix("image/")
    upload.seek(0)
    return encoded_photo(upload, FORMATS.get(kind))


def too_big() -> InvalidImage:
    megabytes = catgram_settings.IMAGE_MAX_BYTES / (1024 * 1024)
    return InvalidImage(messages.PHOTO_TOO_LARGE.format(megabytes=megabytes))


def encoded_photo(data: IO[bytes], expected_format: str | None) -> EncodedPhoto:
    """The photo in ``data``, if it fully decodes as an allowed image within the limits, encoded
    anew with its thumbnail."""
    with decoded(data) as image:
        found = ALIASES.get(image.format or "", image.format)
        if found not in EXTENSIONS or expected_format not in (None, found):
            kind = expected_format or "PNG, JPEG, GIF or WEBP"
            raise InvalidImage(messages.PHOTO_WRONG_KIND.format(kind=kind))
        width, height = image.size
        if width * height > catgram_settings.IMAGE_MAX_PIXELS:
            limit = catgram_settings.IMAGE_MAX_PIXELS
            raise InvalidImage(
                messages.PHOTO_TOO_MANY_PIXELS.format(width=width, height=height, limit=limit)
            )
        image = upright_srgb(loaded(image, catgram_settings.IMAGE_MAX_SIDE))
        image = scaled_down(image, catgram_settings.IMAGE_MAX_SIDE, reducing_gap=3.0)
        photo = encoded(image, found)
        # Reduced by whole pixel blocks first (box filter), then resampled: the step between
        # the photo and its thumbnail never holds another image of the photo's size.
        thumbnail = encoded(
            scaled_down(image, catgram_settings.THUMBNAIL_SIDE, reducing_gap=1.0), found
        )
    extension = EXTENSIONS[found]
    return EncodedPhoto(
        ContentFile(photo, name=f"photo{extension}"),
        ContentFile(thumbnail, name=f"thumbnail{extension}"),
    )


@contextmanager
def decoded(data: IO[bytes]) -> Iterator[Image.Image]:
    """The image in ``data``, opened by the parsers of the allowed formats only; any failure
    to read it, now or in the block, is a refusal (``InvalidImage``)."""
    try:
        with warnings.catch_warnings():
            # Pillow only warns up to twice its own pixel limit; here that is a refusal too.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(data, formats=list(EXTENSIONS)) as image:
                yield image
    except InvalidImage:
        raise
    except (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError,
            Image.DecompressionBombWarning):  # fmt: skip
        raise InvalidImage(messages.PHOTO_UNREADABLE) from None


def loaded(image: Image.Image, max_side: int) -> Image.Image:
    """The first frame's pixels, every one decoded (truncated or corrupt data fails here).

    A JPEG larger than ``max_side`` is decoded at the strongest DCT scaling (1/2, 1/4, 1/8)
    that keeps at least ``DRAFT_KEEPS`` of ``max_side``, so its full-size pixels are never held:
    a 4032x3024 photo is decoded (and stored) at 2016x1512 rather than scaled from 12 megapixels.
    """
    longest = max(image.size)
    scale = 1
    while scale < 8 and longest / (scale * 2) >= max_side * DRAFT_KEEPS:
        scale *= 2
    if scale > 1:
        image.draft(image.mode, (image.width // scale, image.height // scale))
    image.load()
    return image


def upright_srgb(image: Image.Image) -> Image.Image:
    """``image`` turned as its EXIF orientation says, its colours in sRGB, with no metadata.

    A colour profile that cannot be read is ignored, as browsers do.
    """
    ImageOps.exif_transpose(image, in_place=True)
    if image.mode in WIDE_GREY_MODES:
        image = image.convert("I").point(lambda value: value / 256).convert("L")
    profile = image.info.get("icc_profile")
    if profile and image.mode in ("RGB", "RGBA", "CMYK"):
        mode = "RGB" if image.mode == "CMYK" else image.mode
        try:
            converted = ImageCms.profileToProfile(
                image, BytesIO(profile), SRGB, outputMode=mode, inPlace=mode == image.mode
            )
            image = converted or image
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass
    transparency = image.info.get("transparency")
    image.info = {} if transparency is None else {"transparency": transparency}
    image.getexif().clear()
    return image


def scaled_down(image: Image.Image, max_side: int, reducing_gap: float) -> Image.Image:
    """``image`` with its long side at most ``max_side``, the aspect ratio kept; it is returned
    as it is when it fits. ``reducing_gap`` is Pillow's: how much larger than the result the
    image stays after its first, cheap reduction (3 is as good as a full resampling)."""
    ratio = max_side / max(image.size)
    if ratio >= 1:
        return image
    if image.mode not in RESAMPLED_MODES:
        image = image.convert("RGBA" if has_alpha(image) else "RGB")
    size = (max(1, round(image.width * ratio)), max(1, round(image.height * ratio)))
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=reducing_gap)


def has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info


def encoded(image: Image.Image, image_format: str) -> bytes:
    """``image`` encoded in ``image_format`` at the configured quality, with no metadata."""
    image = encodable(image, image_format)
    buffer = BytesIO()
    options: dict[str, Any] = {}
    if image_format in ("JPEG", "WEBP"):
        options["quality"] = catgram_settings.IMAGE_QUALITY
    if "transparency" in image.info:
        options["transparency"] = image.info["transparency"]
    image.save(buffer, image_format, **options)
    return buffer.getvalue()


def encodable(image: Image.Image, image_format: str) -> Image.Image:
    """``image`` in a mode ``image_format`` can encode, transparency kept where it can be."""
    if image.mode in SAVED_MODES[image_format]:
        return image
    alpha = has_alpha(image)
    if image_format == "GIF" and alpha:
        return with_transparent_index(image.convert("RGBA"))
    if image_format == "JPEG":
        return image.convert("L" if image.mode == "LA" or image.mode in WIDE_GREY_MODES else "RGB")
    return image.convert("RGBA" if alpha else "RGB")


def with_transparent_index(image: Image.Image) -> Image.Image:
    """An RGBA image as a palette one for GIF: 255 colours, and index 255 for what is more
    transparent than opaque (GIF has no partial transparency)."""
    palette = image.convert("RGB").quantize(255)
    palette.paste(255, mask=image.getchannel("A").point(lambda alpha: 255 if alpha < 128 else 0))
    palette.info["transparency"] = 255
    return palette
