"""Stored photos are a fresh encoding of their pixels: no metadata, nothing after the image,
upright, scaled to the settings, with a thumbnail of the configured size."""

from io import BytesIO

import pytest
from PIL import Image, ImageCms

from django_catgram.images import encoded
from django_catgram.models import Cat
from tests.conftest import (
    SECRET,
    assert_no_metadata,
    cat_body,
    create_cat,
    data_url,
    files_of,
    halves,
    phone_photo,
    photo_name,
    stored,
    stored_photos,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", ["jpeg", "webp", "png"])
def test_a_phone_photo_is_stored_without_its_gps_position_or_any_metadata(as_alice, kind):
    cat = create_cat(as_alice, image=data_url(phone_photo(kind), kind))

    for name in files_of(cat):
        assert_no_metadata(stored(name))
    with Image.open(BytesIO(stored(photo_name(cat)))) as image:
        assert image.format == {"jpeg": "JPEG", "webp": "WEBP", "png": "PNG"}[kind]
        assert image.size == (40, 20)


@pytest.mark.parametrize("kind", ["jpeg", "webp", "png"])
def test_a_photo_turned_by_its_exif_orientation_is_stored_upright(as_alice, kind):
    # Orientation 6: the camera was turned; viewers rotate the stored pixels 90 degrees clockwise.
    cat = create_cat(as_alice, image=data_url(phone_photo(kind, orientation=6), kind))

    with Image.open(BytesIO(stored(photo_name(cat)))) as image:
        assert image.size == (20, 40)
        red, blue = image.convert("RGB").getpixel((10, 5)), image.getpixel((10, 35))
    assert red[0] > 200 > red[2]
    assert blue[2] > 200 > blue[0]
    with Image.open(BytesIO(stored(files_of(cat).difference({photo_name(cat)}).pop()))) as thumb:
        assert thumb.size == (20, 40)


@pytest.mark.parametrize(
    ("kind", "trailer"),
    [
        ("png", b"<html><script>alert(document.cookie)</script></html>"),
        ("gif", b"<script>alert(1)</script>"),
        ("jpeg", b"<?php system($_GET['c']); ?>"),
        ("webp", b"<script>alert(1)</script>"),
    ],
)
def test_data_after_the_image_is_not_stored(as_alice, kind, trailer):
    buffer = BytesIO()
    halves().save(buffer, kind.upper())
    raw = buffer.getvalue() + trailer
    with Image.open(BytesIO(raw)) as image:
        image.load()  # the file decodes, trailer and all

    cat = create_cat(as_alice, image=data_url(raw, kind))

    for name in files_of(cat):
        assert trailer not in stored(name)
        assert b"script" not in stored(name)


def test_an_animated_gif_is_stored_as_its_first_frame_without_its_comment(as_alice):
    frames = [Image.new("P", (8, 8), colour) for colour in (1, 2, 3)]
    buffer = BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], comment=SECRET)

    cat = create_cat(as_alice, image=data_url(buffer.getvalue(), "gif"))

    raw = stored(photo_name(cat))
    assert SECRET.encode() not in raw
    with Image.open(BytesIO(raw)) as image:
        assert getattr(image, "n_frames", 1) == 1


@pytest.mark.parametrize("kind", ["png", "gif", "webp"])
def test_transparency_is_kept(as_alice, kind):
    image = Image.new("RGBA", (1000, 10), (255, 0, 0, 255))
    image.paste((0, 0, 0, 0), (0, 0, 500, 10))
    buffer = BytesIO()
    image.save(buffer, kind.upper())

    cat = create_cat(as_alice, image=data_url(buffer.getvalue(), kind))

    for name in files_of(cat):  # the photo as it is, the thumbnail resampled
        with Image.open(BytesIO(stored(name))) as kept:
            rgba = kept.convert("RGBA")
            assert rgba.getpixel((1, 1))[3] == 0
            red, green, blue, alpha = rgba.getpixel((rgba.width - 2, 1))
            assert (red > 250, green < 5, blue < 5, alpha) == (True, True, True, 255)


@pytest.mark.parametrize(
    ("kind", "size", "max_side", "stored_size"),
    [
        ("png", (900, 300), 300, (300, 100)),
        ("webp", (300, 900), 300, (100, 300)),
        ("gif", (900, 300), 300, (300, 100)),
        ("png", (300, 100), 300, (300, 100)),
        # A JPEG decodes straight to 1/4 scale (250x200) where that keeps 3/4 of the bound...
        ("jpeg", (1000, 800), 250, (250, 200)),
        ("jpeg", (1000, 800), 300, (250, 200)),
        # ...and is then scaled down to the bound where it is still over it.
        ("jpeg", (1000, 800), 240, (240, 192)),
        ("jpeg", (1000, 800), 400, (400, 320)),
    ],
)
def test_a_photo_over_the_largest_stored_size_is_scaled_down(
    as_alice, settings, kind, size, max_side, stored_size
):
    settings.CATGRAM = {"IMAGE_MAX_SIDE": max_side, "THUMBNAIL_SIDE": 50}
    buffer = BytesIO()
    halves(size).save(buffer, kind.upper())

    cat = create_cat(as_alice, image=data_url(buffer.getvalue(), kind))

    with Image.open(BytesIO(stored(photo_name(cat)))) as image:
        assert image.size == stored_size


@pytest.mark.parametrize(
    ("size", "thumbnail_side", "thumbnail_size"),
    [((1000, 500), None, (400, 200)), ((1000, 500), 100, (100, 50)), ((30, 60), 100, (30, 60))],
)
def test_every_photo_has_a_thumbnail_of_the_configured_size_beside_it(
    as_alice, settings, size, thumbnail_side, thumbnail_size
):
    if thumbnail_side:
        settings.CATGRAM = {"THUMBNAIL_SIDE": thumbnail_side}
    buffer = BytesIO()
    halves(size).save(buffer, "PNG")

    cat = create_cat(as_alice, image=data_url(buffer.getvalue()))

    photo = photo_name(cat)
    thumbnail = cat["thumbnail_url"].removeprefix("/media/")
    assert thumbnail == photo.replace(".png", "-thumbnail.png")
    assert cat["thumbnail"] == f"http://testserver/media/{thumbnail}"
    assert stored_photos() == {photo, thumbnail}
    assert Cat.objects.get().thumbnail.name == thumbnail
    with Image.open(BytesIO(stored(thumbnail))) as image:
        assert (image.format, image.size) == ("PNG", thumbnail_size)
    assert as_alice.get(f"cats/{cat['id']}/").json() == cat
    assert as_alice.get("cats/").json()["results"] == [cat]


def test_the_quality_setting_trades_size_for_fidelity(as_alice, settings):
    buffer = BytesIO()
    Image.effect_noise((200, 200), 60).convert("RGB").save(buffer, "JPEG", quality=95)
    sizes = {}
    for quality in (20, 95):
        settings.CATGRAM = {"IMAGE_QUALITY": quality}
        sizes[quality] = len(
            stored(photo_name(create_cat(as_alice, image=data_url(buffer.getvalue(), "jpeg"))))
        )
    assert sizes[20] < sizes[95] / 2


@pytest.mark.parametrize(
    "profile",
    [ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes(), b"not a profile" * 10],
    ids=["sRGB", "unreadable"],
)
def test_a_colour_profile_is_applied_to_the_pixels_and_not_stored(as_alice, profile):
    buffer = BytesIO()
    Image.new("RGB", (8, 8), (200, 120, 40)).save(buffer, "PNG", icc_profile=profile)

    cat = create_cat(as_alice, image=data_url(buffer.getvalue()))

    with Image.open(BytesIO(stored(photo_name(cat)))) as image:
        assert "icc_profile" not in image.info
        assert image.getpixel((4, 4)) == (200, 120, 40)  # sRGB to sRGB keeps the colour


def test_a_photo_that_decodes_but_whose_pixels_are_corrupt_is_400(as_alice):
    buffer = BytesIO()
    halves((64, 64)).save(buffer, "WEBP")
    raw = bytearray(buffer.getvalue())
    raw[40:60] = b"\xff" * 20  # inside the compressed image data

    response = as_alice.post("cats/", cat_body(image=data_url(bytes(raw), "webp")))

    assert response.status_code == 400
    assert list(response.json()) == ["image"]
    assert stored_photos() == set()


@pytest.mark.parametrize("image_format", ["JPEG", "PNG", "GIF", "WEBP"])
@pytest.mark.parametrize("mode", ["1", "L", "LA", "P", "PA", "RGB", "RGBA", "CMYK", "I", "F"])
def test_pixels_of_any_mode_are_encoded_in_a_mode_the_format_takes(mode, image_format):
    """What decoding and scaling can leave (a palette with alpha, 16-bit grey...) encodes."""
    image = Image.new(mode, (8, 6))

    with Image.open(BytesIO(encoded(image, image_format))) as stored_image:
        stored_image.load()
        assert (stored_image.format, stored_image.size) == (image_format, (8, 6))


def test_a_16_bit_greyscale_png_is_stored_as_8_bits_of_the_same_tones(as_alice):
    buffer = BytesIO()
    Image.new("I;16", (4, 4), 40000).save(buffer, "PNG")

    cat = create_cat(as_alice, image=data_url(buffer.getvalue()))

    with Image.open(BytesIO(stored(photo_name(cat)))) as image:
        assert (image.mode, image.getpixel((1, 1))) == ("L", 40000 // 256)
