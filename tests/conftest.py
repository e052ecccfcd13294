import base64
import json
import socket
from io import BytesIO
from pathlib import Path

import django
import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.test import override_settings
from PIL import ExifTags, Image, ImageCms, PngImagePlugin

PASSWORD = "Purr-Purr-2020!"


class Api:
    """Calls the API as its clients do: JSON with its Content-Type always, an optional token."""

    def __init__(self, client, token=None, scheme="Bearer"):
        self.client = client
        self.token = token
        self.scheme = scheme

    def request(self, method, path, body=None, query=None, headers=None):
        headers = {
            **({"Authorization": f"{self.scheme} {self.token}"} if self.token else {}),
            **(headers or {}),
        }
        return self.client.generic(
            method,
            f"/api/{path}" + (f"?{query}" if query else ""),
            data="" if body is None else json.dumps(body),
            content_type="application/json",
            headers=headers,
        )

    def get(self, path, query=None):
        return self.request("GET", path, query=query)

    def post(self, path, body=None):
        return self.request("POST", path, body)

    def put(self, path, body=None):
        return self.request("PUT", path, body)

    def patch(self, path, body=None):
        return self.request("PATCH", path, body)

    def delete(self, path, body=None):
        return self.request("DELETE", path, body)

    def log_in(self, username, password=PASSWORD, scheme="Bearer"):
        """A client for the same site, logged in through ``auth/token``."""
        response = self.post("auth/token", {"username": username, "password": password})
        assert response.status_code == 200, response.json()
        return Api(self.client, response.json()["token"], scheme)


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """Rate limits count in Django's cache: each test starts with none used."""
    cache.clear()


@pytest.fixture
def anonymous(client):
    return Api(client)


@pytest.fixture
def make_user(db):
    def make(username, **extra):
        return get_user_model().objects.create_user(
            username, email=f"{username}@example.com", password=PASSWORD, **extra
        )

    return make


@pytest.fixture
def alice(make_user):
    return make_user("alice")


@pytest.fixture
def bob(make_user):
    return make_user("bob")


@pytest.fixture
def staff(make_user):
    return make_user("staff", is_staff=True)


@pytest.fixture
def as_alice(anonymous, alice):
    return anonymous.log_in("alice")


@pytest.fixture
def as_bob(anonymous, bob):
    return anonymous.log_in("bob")


@pytest.fixture
def as_staff(anonymous, staff):
    return anonymous.log_in("staff")


def link_in_mail(message):
    """The uid and token at the end of the link in a mail the API sent."""
    url = next(line for line in message.body.splitlines() if "://" in line).strip()
    uid, token = url.split("/")[-2:]
    return {"uid": uid, "token": token}


@pytest.fixture
def media(tmp_path):
    """Photos in a real folder (Django's file-system storage), instead of in memory."""
    storages = {
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=storages):
        yield tmp_path


def files_in(folder: Path) -> list[str]:
    """The files under ``folder``, as storage names."""
    return sorted(
        path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_file()
    )


# Photos: real images made with Pillow, and the files the storage holds -------------------


PHOTOS = "cats/images/"


KINDS = {"png": "PNG", "jpeg": "JPEG", "gif": "GIF", "webp": "WEBP"}


def image_bytes(kind="png", size=(4, 3)):
    """A real image of ``kind`` (png, jpeg, gif, webp, bmp), made with Pillow."""
    buffer = BytesIO()
    Image.new("RGB", size, "orange").save(buffer, KINDS.get(kind, kind.upper()))
    return buffer.getvalue()


def data_url(raw, kind="png"):
    return f"data:image/{kind};base64,{base64.b64encode(raw).decode()}"


def png_url(size=(4, 3)):
    return data_url(image_bytes("png", size))


def picture(raw):
    """What re-encoding keeps of an image: its format (a phone's MPO is a JPEG) and size."""
    with Image.open(BytesIO(raw)) as image:
        return {"MPO": "JPEG"}.get(image.format, image.format), image.size


def stored(name):
    with default_storage.open(name) as file:
        return file.read()


def files_of(cat_json):
    """The storage names of a cat's photo and thumbnail, from their URLs."""
    assert cat_json["thumbnail_url"].startswith("/media/" + PHOTOS)
    return {photo_name(cat_json), cat_json["thumbnail_url"].removeprefix("/media/")}


def stored_photos():
    """The names of the files under cats/images/ in the default storage."""
    try:
        return {PHOTOS + name for name in default_storage.listdir(PHOTOS)[1]}
    except FileNotFoundError:
        return set()


@pytest.fixture(autouse=True)
def empty_storage(settings):
    """A new, empty InMemoryStorage for each test (changing STORAGES resets default_storage)."""
    settings.STORAGES = {**settings.STORAGES}
    assert stored_photos() == set()


def cat_body(**changes):
    return {"name": "Barsik", "color": "#A9A9A9", "birth_year": 2020, **changes}


def create_cat(client, **changes):
    response = client.post("cats/", cat_body(**changes))
    assert response.status_code == 201, response.json()
    return response.json()


def photo_name(cat_json):
    """The storage name of a cat's photo, from its image_url."""
    assert cat_json["image_url"].startswith("/media/" + PHOTOS)
    return cat_json["image_url"].removeprefix("/media/")


# Text a phone writes into a photo; none of it may reach the stored files.
SECRET = "Home of Barsik, 55.7558 N 37.6173 E"


GPS = {
    ExifTags.GPS.GPSLatitudeRef: "N",
    ExifTags.GPS.GPSLatitude: (55.0, 45.0, 20.88),
    ExifTags.GPS.GPSLongitudeRef: "E",
    ExifTags.GPS.GPSLongitude: (37.0, 37.0, 2.28),
    ExifTags.GPS.GPSProcessingMethod: SECRET,
}


XMP = f'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:Description>{SECRET}</rdf:Description>'


def phone_exif(orientation=1):
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Model] = "PhoneModel 15 Pro"
    exif[ExifTags.Base.ImageDescription] = SECRET
    exif[ExifTags.Base.Orientation] = orientation
    exif.get_ifd(ExifTags.IFD.GPSInfo).update(GPS)
    return exif


def halves(size=(40, 20)):
    """An image red on its left half and blue on its right."""
    image = Image.new("RGB", size, "blue")
    image.paste("red", (0, 0, size[0] // 2, size[1]))
    return image


def phone_photo(kind, orientation=1, size=(40, 20)):
    """A photo of ``kind`` carrying EXIF with a GPS position, XMP and a colour profile."""
    image = halves(size)
    buffer = BytesIO()
    options = {
        "exif": phone_exif(orientation),
        "icc_profile": ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes(),
    }
    if kind == "png":
        text = PngImagePlugin.PngInfo()
        text.add_itxt("XML:com.adobe.xmp", XMP)
        text.add_text("Comment", SECRET)
        options["pnginfo"] = text
    else:
        options["xmp"] = XMP.encode()
    if kind == "jpeg":
        options["comment"] = SECRET
    image.save(buffer, {"jpeg": "JPEG", "png": "PNG", "webp": "WEBP"}[kind], **options)
    raw = buffer.getvalue()
    assert SECRET.encode() in raw
    with Image.open(BytesIO(raw)) as check:
        assert check.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    return raw


def assert_no_metadata(raw):
    assert SECRET.encode() not in raw
    for marker in (b"Exif", b"eXIf", b"EXIF", b"PhoneMaker", b"xmpmeta", b"XMP", b"iTXt"):
        assert marker not in raw
    with Image.open(BytesIO(raw)) as image:
        assert not image.getexif()
        assert not set(image.info) & {"exif", "xmp", "icc_profile", "comment", "XML:com.adobe.xmp"}


def reads_the_form(get_response):
    """A host's middleware that reads request.POST before the view (as some logging does)."""

    def middleware(request):
        request.POST  # noqa: B018  # Django streams a multipart body into it, and not again
        return get_response(request)

    return middleware


@pytest.fixture
def a_middleware_reads_the_form(settings):
    """``reads_the_form`` in the middleware of the clients made from now on."""
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, f"{__name__}.reads_the_form"]


@pytest.fixture
def unreachable_smtp_server(settings):
    """Mail goes by SMTP to a port of this machine where nothing listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    backend = "django.core.mail.backends.smtp.EmailBackend"
    if django.VERSION >= (6, 1):  # Django 6.1 replaces EMAIL_BACKEND with MAILERS
        options = {"host": "127.0.0.1", "port": port, "timeout": 5}
        settings.MAILERS = {"default": {"BACKEND": backend, "OPTIONS": options}}
    else:
        settings.EMAIL_BACKEND = backend
        settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 5
