"""Cat photos: data URLs and multipart uploads, checked by decoding them, kept in the storage.

The default storage is Django's ``InMemoryStorage`` (tests/settings.py): nothing here assumes a
local file system, so object storage works the same way.
"""

import base64
import json
import struct
import zlib
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from PIL import Image

from django_catgram.models import Achievement, Cat
from tests.conftest import (
    PHOTOS,
    Api,
    cat_body,
    create_cat,
    data_url,
    files_of,
    image_bytes,
    photo_name,
    picture,
    png_url,
    stored,
    stored_photos,
)

pytestmark = pytest.mark.django_db

EXTENSIONS = {"png": ".png", "jpeg": ".jpg", "gif": ".gif", "webp": ".webp"}


def mpo_bytes():
    """A JPEG holding two pictures, as phone cameras write; Pillow calls the format MPO."""
    buffer = BytesIO()
    first, second = Image.new("RGB", (4, 3), "orange"), Image.new("RGB", (4, 3), "black")
    first.save(buffer, "MPO", save_all=True, append_images=[second])
    return buffer.getvalue()


def png_declaring(width, height):
    """A 1x1 PNG whose header claims ``width`` x ``height`` pixels (a decompression bomb)."""
    raw = bytearray(image_bytes("png", (1, 1)))
    # The IHDR chunk: length at 8, type at 12, width and height at 16, its CRC at 29.
    raw[16:24] = struct.pack(">II", width, height)
    raw[29:33] = struct.pack(">I", zlib.crc32(bytes(raw[12:29])))
    return bytes(raw)


@pytest.mark.parametrize("kind", ["png", "jpeg", "gif", "webp"])
def test_a_photo_of_each_kind_is_stored_under_a_random_name_with_its_extension(as_alice, kind):
    raw = image_bytes(kind)

    cat = create_cat(as_alice, image=data_url(raw, kind))

    name = photo_name(cat)
    assert name.endswith(EXTENSIONS[kind])
    assert len(name.removeprefix(PHOTOS).split(".")[0]) >= 16  # random, not the client's name
    assert cat["image"] == f"http://testserver/media/{name}"
    assert stored_photos() == files_of(cat)
    assert picture(stored(name)) == picture(raw)
    assert Cat.objects.get(pk=cat["id"]).image.name == name


@pytest.mark.parametrize("kind", ["jpeg", "jpg"])
def test_a_multi_picture_jpeg_from_a_phone_is_a_jpeg(as_alice, kind):
    raw = mpo_bytes()
    assert Image.open(BytesIO(raw)).format == "MPO"

    cat = create_cat(as_alice, image=data_url(raw, kind))

    assert photo_name(cat).endswith(".jpg")
    assert picture(stored(photo_name(cat))) == picture(raw)


def test_two_cats_with_the_same_photo_get_different_file_names(as_alice):
    first = create_cat(as_alice, image=png_url())
    second = create_cat(as_alice, image=png_url())

    assert photo_name(first) != photo_name(second)
    assert stored_photos() == files_of(first) | files_of(second)


def test_a_cat_without_a_photo_has_null_image_and_image_url(as_alice):
    cat = create_cat(as_alice)

    assert (cat["image"], cat["image_url"]) == (None, None)
    assert as_alice.get(f"cats/{cat['id']}/").json()["image"] is None


BAD_IMAGES = [
    ("png data labelled jpeg", data_url(image_bytes("png"), "jpeg")),
    ("jpeg data labelled png", data_url(image_bytes("jpeg"), "png")),
    ("gif data labelled webp", data_url(image_bytes("gif"), "webp")),
    ("a multi-picture jpeg labelled png", data_url(mpo_bytes(), "png")),
    ("a bmp image", data_url(image_bytes("bmp"), "bmp")),
    ("a bmp image labelled png", data_url(image_bytes("bmp"), "png")),
    ("an svg", "data:image/svg+xml;base64," + base64.b64encode(b"<svg/>").decode()),
    ("truncated base64", png_url()[:-3]),
    ("base64 with a bad character", png_url()[:40] + "*" + png_url()[41:]),
    ("truncated image data", data_url(image_bytes("png", (64, 64))[:-40])),
    ("truncated jpeg data", data_url(image_bytes("jpeg", (64, 64))[:200], "jpeg")),
    ("not an image", data_url(b"Barsik is a very good cat, honestly." * 3)),
    ("empty data", "data:image/png;base64,"),
    ("a plain URL", "http://example.com/cat.png"),
    ("raw base64 without the data: prefix", base64.b64encode(image_bytes()).decode()),
    ("not base64-encoded", "data:image/png," + image_bytes().decode("latin-1")),
    ("a text data URL", "data:text/plain;base64," + base64.b64encode(b"cat").decode()),
    ("an empty string", ""),
    ("a number", 42),
    ("an object", {"data": png_url()}),
    ("a decompression bomb", data_url(png_declaring(100_000, 100_000))),
    ("more pixels than the default 25 megapixels", data_url(png_declaring(6000, 5000))),
]


@pytest.mark.parametrize(
    "image", [image for _, image in BAD_IMAGES], ids=[name for name, _ in BAD_IMAGES]
)
def test_a_bad_photo_is_400_on_image_and_leaves_no_cat_achievement_or_file(as_alice, image):
    response = as_alice.post(
        "cats/", cat_body(image=image, achievements=[{"achievement_name": "Brand new"}])
    )

    assert response.status_code == 400
    assert list(response.json()) == ["image"]
    assert all(isinstance(message, str) for message in response.json()["image"])
    assert not Cat.objects.exists()
    assert not Achievement.objects.exists()
    assert stored_photos() == set()


@pytest.mark.parametrize(("limit", "status"), [(12, 201), (11, 400)])
def test_photos_over_the_pixel_setting_are_refused(as_alice, limit, status):
    with override_settings(CATGRAM={"IMAGE_MAX_PIXELS": limit}):
        response = as_alice.post("cats/", cat_body(image=png_url((4, 3))))

    assert response.status_code == status
    if status == 400:
        assert list(response.json()) == ["image"]
    assert Cat.objects.count() == (status == 201)
    assert len(stored_photos()) == 2 * (status == 201)


@pytest.mark.parametrize(("extra_bytes", "status"), [(0, 201), (-1, 400), (-100, 400)])
def test_photos_over_the_byte_setting_are_refused(as_alice, extra_bytes, status):
    raw = image_bytes("png", (40, 40))

    with override_settings(CATGRAM={"IMAGE_MAX_BYTES": len(raw) + extra_bytes}):
        response = as_alice.post("cats/", cat_body(image=data_url(raw)))

    assert response.status_code == status
    if status == 400:
        assert list(response.json()) == ["image"]
    assert len(stored_photos()) == 2 * (status == 201)


def test_patch_with_a_new_photo_replaces_it_and_deletes_the_old_file(
    as_alice, django_capture_on_commit_callbacks
):
    cat = create_cat(as_alice, image=png_url())
    old = photo_name(cat)

    with django_capture_on_commit_callbacks(execute=True):
        response = as_alice.patch(
            f"cats/{cat['id']}/", {"image": data_url(image_bytes("gif"), "gif")}
        )

    assert response.status_code == 200
    new = photo_name(response.json())
    assert new != old
    assert new.endswith(".gif")
    assert stored_photos() == files_of(response.json())
    assert Cat.objects.get(pk=cat["id"]).image.name == new


def test_put_with_a_new_photo_replaces_it_and_deletes_the_old_file(
    as_alice, django_capture_on_commit_callbacks
):
    cat = create_cat(as_alice, image=png_url())

    with django_capture_on_commit_callbacks(execute=True):
        response = as_alice.put(f"cats/{cat['id']}/", cat_body(image=png_url((2, 2))))

    assert response.status_code == 200
    assert stored_photos() == files_of(response.json()) != files_of(cat)


@pytest.mark.parametrize("method", ["put", "patch"])
def test_image_null_removes_the_photo_and_deletes_the_file(
    as_alice, django_capture_on_commit_callbacks, method
):
    cat = create_cat(as_alice, image=png_url())
    body = cat_body(image=None) if method == "put" else {"image": None}

    with django_capture_on_commit_callbacks(execute=True):
        response = getattr(as_alice, method)(f"cats/{cat['id']}/", body)

    assert response.status_code == 200
    photo_keys = ["image", "image_url", "thumbnail", "thumbnail_url"]
    assert [response.json()[key] for key in photo_keys] == [None] * 4
    assert not Cat.objects.get(pk=cat["id"]).image
    assert not Cat.objects.get(pk=cat["id"]).thumbnail
    assert stored_photos() == set()


@pytest.mark.parametrize(
    ("method", "body"),
    [
        ("put", cat_body()),
        ("patch", {"name": "Murzik"}),
        ("patch", {}),
    ],
    ids=["put without image", "patch of another field", "empty patch"],
)
def test_a_write_without_the_image_key_keeps_the_photo(
    as_alice, django_capture_on_commit_callbacks, method, body
):
    cat = create_cat(as_alice, image=png_url())

    with django_capture_on_commit_callbacks(execute=True):
        response = getattr(as_alice, method)(f"cats/{cat['id']}/", body)

    assert response.status_code == 200
    assert response.json()["image_url"] == cat["image_url"]
    assert stored_photos() == files_of(cat)


def test_a_refused_photo_on_patch_keeps_the_old_photo_and_adds_no_file(
    as_alice, django_capture_on_commit_callbacks
):
    cat = create_cat(as_alice, image=png_url())

    with django_capture_on_commit_callbacks(execute=True):
        response = as_alice.patch(
            f"cats/{cat['id']}/", {"name": "Murzik", "image": data_url(b"not an image")}
        )

    assert response.status_code == 400
    assert list(response.json()) == ["image"]
    assert Cat.objects.get(pk=cat["id"]).name == "Barsik"
    assert stored_photos() == files_of(cat)


def test_a_photo_with_an_otherwise_invalid_body_stores_no_file(as_alice):
    response = as_alice.post("cats/", cat_body(image=png_url(), birth_year=1899))

    assert response.status_code == 400
    assert list(response.json()) == ["birth_year"]
    assert stored_photos() == set()
    assert not Cat.objects.exists()


def test_deleting_a_cat_deletes_its_photo(as_alice, django_capture_on_commit_callbacks):
    cat = create_cat(as_alice, image=png_url())

    with django_capture_on_commit_callbacks(execute=True):
        response = as_alice.delete(f"cats/{cat['id']}/")

    assert response.status_code == 204
    assert response.content == b""
    assert stored_photos() == set()


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_a_refused_change_by_another_user_keeps_the_photo(
    as_alice, as_bob, django_capture_on_commit_callbacks, method
):
    cat = create_cat(as_alice, image=png_url())
    body = None if method == "delete" else cat_body(image=png_url((2, 2)))

    with django_capture_on_commit_callbacks(execute=True):
        response = getattr(as_bob, method)(f"cats/{cat['id']}/", body)

    assert response.status_code == 403
    assert stored_photos() == files_of(cat)


# Multipart uploads: the same fields, achievements as a JSON string, the photo as a file.


def multipart(api, method, path, data):
    """A multipart/form-data request, as a browser form sends it, with the caller's token."""
    return getattr(api.client, method)(
        f"/api/{path}",
        data if method == "post" else encode_multipart(BOUNDARY, data),
        content_type=MULTIPART_CONTENT,
        headers={"Authorization": f"{api.scheme} {api.token}"},
    )


def upload(raw, name="barsik.png", content_type="image/png"):
    return SimpleUploadedFile(name, raw, content_type=content_type)


def form(**changes):
    return {
        "name": "Barsik",
        "color": "#A9A9A9",
        "birth_year": "2020",
        "achievements": json.dumps([{"achievement_name": "Catches mice"}]),
        **changes,
    }


def test_a_multipart_create_works_after_a_middleware_read_the_form(
    as_alice, a_middleware_reads_the_form
):
    raw = image_bytes("png")
    as_alice = Api(Client(), as_alice.token)  # a client loads the middleware once

    response = multipart(as_alice, "post", "cats/", form(image=upload(raw)))

    assert response.status_code == 201, response.json()
    assert [a["achievement_name"] for a in response.json()["achievements"]] == ["Catches mice"]
    assert picture(stored(photo_name(response.json()))) == picture(raw)


@pytest.mark.parametrize("kind", ["png", "jpeg", "gif", "webp"])
def test_a_multipart_create_stores_the_uploaded_photo_and_reads_the_achievements(as_alice, kind):
    raw = image_bytes(kind)

    response = multipart(
        as_alice, "post", "cats/", form(image=upload(raw, f"barsik.{kind}", f"image/{kind}"))
    )

    assert response.status_code == 201, response.json()
    cat = response.json()
    assert cat["color"] == "darkgray"
    assert cat["birth_year"] == 2020
    assert [a["achievement_name"] for a in cat["achievements"]] == ["Catches mice"]
    name = photo_name(cat)
    assert name.endswith(EXTENSIONS[kind])
    assert "barsik" not in name
    assert picture(stored(name)) == picture(raw)


def test_a_multipart_create_accepts_a_data_url_in_the_image_field(as_alice):
    response = multipart(as_alice, "post", "cats/", form(image=png_url()))

    assert response.status_code == 201, response.json()
    assert stored_photos() == files_of(response.json())


BAD_UPLOADS = [
    ("png labelled jpeg", upload(image_bytes("png"), "b.jpg", "image/jpeg")),
    ("truncated image", upload(image_bytes("png", (64, 64))[:-40])),
    ("not an image", upload(b"Barsik is a cat." * 10, "b.txt", "text/plain")),
    ("a bmp image", upload(image_bytes("bmp"), "b.bmp", "image/bmp")),
    ("a decompression bomb", upload(png_declaring(100_000, 100_000))),
    ("too many pixels", upload(png_declaring(6000, 5000))),
]


@pytest.mark.parametrize(
    "image", [image for _, image in BAD_UPLOADS], ids=[name for name, _ in BAD_UPLOADS]
)
def test_a_bad_multipart_upload_is_400_on_image_and_leaves_nothing(as_alice, image):
    response = multipart(
        as_alice,
        "post",
        "cats/",
        form(image=image, achievements=json.dumps([{"achievement_name": "Brand new"}])),
    )

    assert response.status_code == 400
    assert list(response.json()) == ["image"]
    assert not Cat.objects.exists()
    assert not Achievement.objects.exists()
    assert stored_photos() == set()


@pytest.mark.parametrize(("setting", "value"), [("IMAGE_MAX_BYTES", 10), ("IMAGE_MAX_PIXELS", 11)])
def test_a_multipart_upload_over_the_limits_is_400_on_image(as_alice, setting, value):
    with override_settings(CATGRAM={setting: value}):
        response = multipart(
            as_alice, "post", "cats/", form(image=upload(image_bytes("png", (4, 3))))
        )

    assert response.status_code == 400
    assert list(response.json()) == ["image"]
    assert stored_photos() == set()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": ""}, "name"),
        ({"color": "#123456"}, "color"),
        ({"birth_year": "1899"}, "birth_year"),
        ({"birth_year": "abc"}, "birth_year"),
        ({"achievements": json.dumps([{"achievement_name": "x" * 65}])}, "achievements"),
        ({"achievements": "not json"}, "achievements"),
        ({"achievements": json.dumps({"achievement_name": "x"})}, "achievements"),
    ],
)
def test_multipart_fields_follow_the_json_rules(as_alice, changes, field):
    response = multipart(as_alice, "post", "cats/", form(image=upload(image_bytes()), **changes))

    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert not Cat.objects.exists()
    assert stored_photos() == set()


@pytest.mark.parametrize("method", ["put", "patch"])
def test_a_multipart_put_or_patch_replaces_the_photo(
    as_alice, django_capture_on_commit_callbacks, method
):
    cat = create_cat(as_alice, image=png_url())
    data = form(image=upload(image_bytes("gif"), "b.gif", "image/gif"), name="Murzik")

    with django_capture_on_commit_callbacks(execute=True):
        response = multipart(as_alice, method, f"cats/{cat['id']}/", data)

    assert response.status_code == 200, response.json()
    assert response.json()["name"] == "Murzik"
    assert photo_name(response.json()).endswith(".gif")
    assert stored_photos() == files_of(response.json())


def test_a_multipart_patch_without_a_photo_keeps_it(as_alice, django_capture_on_commit_callbacks):
    cat = create_cat(as_alice, image=png_url())

    with django_capture_on_commit_callbacks(execute=True):
        response = multipart(as_alice, "patch", f"cats/{cat['id']}/", {"name": "Murzik"})

    assert response.status_code == 200, response.json()
    assert response.json()["name"] == "Murzik"
    assert response.json()["image_url"] == cat["image_url"]
    assert stored_photos() == files_of(cat)
