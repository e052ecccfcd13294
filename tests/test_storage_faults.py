"""Photo storage that fails for real, here a file-size limit on this process (as a full disk).

A write answers 2xx if and only if it committed, and leaves no file behind when it fails, not
even the part of a file written before the failure.
"""

import resource
from contextlib import contextmanager
from io import BytesIO

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError
from PIL import Image

from django_catgram.images import encoded_photo
from django_catgram.models import Cat
from django_catgram.schemas import CatPatch
from django_catgram.services import write_cat
from tests.conftest import data_url, files_in, png_url

pytestmark = pytest.mark.django_db(transaction=True)

LIMIT = 64 * 1024


@contextmanager
def file_size_limit(size):
    """Files this process writes may not grow past ``size`` bytes (EFBIG, as a full disk)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))


def noisy_png(size=(300, 300)):
    """A PNG that does not compress, so its file is large: about 270 KB."""
    image = Image.effect_noise(size, 100).convert("RGB")
    buffer = BytesIO()
    image.save(buffer, "PNG")
    assert buffer.tell() > LIMIT
    return buffer.getvalue()


def test_a_photo_that_fails_half_way_to_disk_is_503_with_no_row_and_no_file(as_alice, media):
    body = {"name": "Tom", "color": "red", "birth_year": 2020, "image": data_url(noisy_png())}
    with file_size_limit(LIMIT):
        response = as_alice.post("cats/", body)
    assert response.status_code == 503
    assert set(response.json()) == {"detail"}
    assert response["Retry-After"]
    assert not Cat.objects.exists()
    assert files_in(media) == []


def test_a_replacement_that_fails_half_way_keeps_the_old_photo(as_alice, media):
    created = as_alice.post(
        "cats/", {"name": "Tom", "color": "red", "birth_year": 2020, "image": png_url()}
    )
    assert created.status_code == 201
    old = cat_files()
    with file_size_limit(LIMIT):
        response = as_alice.patch(f"cats/{created.json()['id']}/", {"image": data_url(noisy_png())})
    assert response.status_code == 503
    assert cat_files() == old
    assert files_in(media) == old


def test_a_small_photo_is_stored_under_the_same_limit(as_alice, media):
    with file_size_limit(LIMIT):
        response = as_alice.post(
            "cats/", {"name": "Tom", "color": "red", "birth_year": 2020, "image": png_url()}
        )
    assert response.status_code == 201
    assert files_in(media) == cat_files()


def test_a_thumbnail_that_fails_after_its_photo_was_stored_leaves_neither(
    as_alice, media, settings
):
    """A 1-bit noise photo stores small; its thumbnail, resampled to grey noise, does not."""
    settings.CATGRAM = {"THUMBNAIL_SIDE": 800}
    photo = Image.effect_noise((1000, 1000), 100).convert("1")
    buffer = BytesIO()
    photo.save(buffer, "PNG")
    assert buffer.tell() < LIMIT * 3
    body = {"name": "Tom", "color": "red", "birth_year": 2020, "image": data_url(buffer.getvalue())}
    with file_size_limit(LIMIT * 3):
        response = as_alice.post("cats/", body)
    assert response.status_code == 503
    assert not Cat.objects.exists()
    assert files_in(media) == []


def test_a_photo_that_cannot_be_deleted_is_logged_and_the_delete_still_commits(
    as_alice, media, caplog
):
    """The photo's name is taken by a folder that is not empty: the storage cannot remove it."""
    created = as_alice.post(
        "cats/", {"name": "Tom", "color": "red", "birth_year": 2020, "image": png_url()}
    )
    photo, thumbnail = Cat.objects.values_list("image", "thumbnail").get()
    (media / photo).unlink()
    (media / photo / "kept").mkdir(parents=True)

    response = as_alice.delete(f"cats/{created.json()['id']}/")

    assert response.status_code == 204
    assert not Cat.objects.exists()
    assert f"Could not delete the photo {photo}" in caplog.text
    assert (media / photo).is_dir()
    assert not (media / thumbnail).exists()


def cat_files():
    """The stored names of the cat's photo and thumbnail, sorted as ``files_in`` gives them."""
    cat = Cat.objects.get()
    return sorted([cat.image.name, cat.thumbnail.name])


def test_a_write_that_fails_at_its_commit_deletes_the_files_it_stored(media, alice):
    """The owner's row is deleted meanwhile: the deferred foreign key fails at the commit."""
    photo = encoded_photo(BytesIO(noisy_png()), "PNG")
    cat = Cat(name="Tom", color="red", birth_year=2020, owner_id=alice.pk)
    get_user_model().objects.filter(pk=alice.pk).delete()

    with pytest.raises(IntegrityError):
        write_cat(cat, CatPatch.model_construct(name="Tom", image=photo))

    assert not Cat.objects.exists()
    assert files_in(media) == []
