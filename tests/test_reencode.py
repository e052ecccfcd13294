"""``manage.py catgram_reencode``: photos stored before re-encoding, encoded as an upload is."""

from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command

from django_catgram.models import Cat
from tests.conftest import SECRET, assert_no_metadata, phone_photo, stored, stored_photos

pytestmark = pytest.mark.django_db


def cat_with_a_raw_photo(owner, raw, name="cats/images/old.jpg"):
    """A cat whose photo file holds the bytes a client sent, as an earlier release stored it."""
    return Cat.objects.create(
        name="Old", color="red", birth_year=2020, owner=owner,
        image=default_storage.save(name, ContentFile(raw)),
    )  # fmt: skip


@pytest.fixture
def reencode(django_capture_on_commit_callbacks):
    """Run the command; what it does once its writes commit (deleting old files) runs too."""

    def run(*args):
        out, err = StringIO(), StringIO()
        with django_capture_on_commit_callbacks(execute=True):
            call_command("catgram_reencode", *args, stdout=out, stderr=err)
        return out.getvalue().splitlines(), err.getvalue().splitlines()

    return run


def test_a_photo_stored_as_sent_is_encoded_anew_with_a_thumbnail(alice, reencode):
    raw = phone_photo("jpeg", orientation=6)
    cat = cat_with_a_raw_photo(alice, raw)
    assert SECRET.encode() in stored("cats/images/old.jpg")

    out, err = reencode()

    cat.refresh_from_db()
    assert cat.image.name != "cats/images/old.jpg"
    assert cat.thumbnail.name
    assert stored_photos() == {cat.image.name, cat.thumbnail.name}
    for name in (cat.image.name, cat.thumbnail.name):
        assert_no_metadata(stored(name))
    assert out[-1] == "Re-encoded 1 photos; 0 could not be read and were kept."
    assert err == []


def test_photos_with_a_thumbnail_are_left_alone_unless_all_is_asked(alice, reencode):
    cat = cat_with_a_raw_photo(alice, phone_photo("png"), "cats/images/new.png")
    Cat.objects.filter(pk=cat.pk).update(thumbnail="cats/images/new-thumbnail.png")

    assert reencode()[0] == ["Re-encoded 0 photos; 0 could not be read and were kept."]
    assert reencode("--all")[0][-1] == "Re-encoded 1 photos; 0 could not be read and were kept."
    cat.refresh_from_db()
    assert cat.image.name.endswith(".png") and cat.image.name != "cats/images/new.png"


def test_a_photo_that_cannot_be_read_is_kept_and_reported(alice, reencode):
    cat = cat_with_a_raw_photo(alice, b"not an image at all", "cats/images/broken.jpg")
    missing = cat_with_a_raw_photo(alice, phone_photo("jpeg"), "cats/images/gone.jpg")
    default_storage.delete("cats/images/gone.jpg")

    out, err = reencode()

    assert out == ["Re-encoded 0 photos; 2 could not be read and were kept."]
    assert [line.split(":")[0] for line in err] == [f"cat {cat.pk}", f"cat {missing.pk}"]
    assert Cat.objects.get(pk=cat.pk).image.name == "cats/images/broken.jpg"
    assert stored_photos() == {"cats/images/broken.jpg"}
