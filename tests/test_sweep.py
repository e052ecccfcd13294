"""``manage.py catgram_sweep``: photo files that no cat refers to, and cats whose file is gone."""

import os
import time
from io import StringIO

import pytest
from django.core.management import call_command

from django_catgram.models import Cat
from tests.conftest import files_in

pytestmark = pytest.mark.django_db

HOUR = 3600


def photo(media, name, age_seconds=2 * HOUR):
    path = media / "cats" / "images" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"photo")
    then = time.time() - age_seconds
    os.utime(path, (then, then))
    return f"cats/images/{name}"


def sweep(*args):
    out = StringIO()
    call_command("catgram_sweep", *args, stdout=out)
    return out.getvalue().splitlines()


def test_old_unreferenced_files_are_removed_and_referenced_ones_kept(media, alice):
    kept = photo(media, "kept.png")
    Cat.objects.create(name="Tom", color="red", birth_year=2020, owner=alice, image=kept)
    orphan = photo(media, "orphan.png")
    assert sweep() == [
        f"removed {orphan}",
        "Removed 1 unreferenced photo files (0 younger than 3600 s kept)"
        " and 0 expired login sessions; 0 files of cats missing.",
    ]
    assert files_in(media) == [kept]


def test_files_younger_than_the_grace_period_are_kept_for_writes_in_flight(media):
    young = photo(media, "young.png", age_seconds=60)
    assert sweep()[-1].startswith("Removed 0 unreferenced photo files (1 younger than 3600 s")
    assert files_in(media) == [young]
    assert sweep("--grace-seconds", "0") == [
        f"removed {young}",
        "Removed 1 unreferenced photo files (0 younger than 0 s kept)"
        " and 0 expired login sessions; 0 files of cats missing.",
    ]
    assert files_in(media) == []


def test_cats_whose_photo_file_is_missing_are_reported(media, alice):
    cat = Cat.objects.create(
        name="Tom", color="red", birth_year=2020, owner=alice, image="cats/images/gone.png"
    )
    Cat.objects.create(name="Plain", color="red", birth_year=2020, owner=alice)
    assert sweep() == [
        f"missing cats/images/gone.png (cat {cat.pk})",
        "Removed 0 unreferenced photo files (0 younger than 3600 s kept)"
        " and 0 expired login sessions; 1 files of cats missing.",
    ]
    assert Cat.objects.get(pk=cat.pk).image.name == "cats/images/gone.png"


def test_a_dry_run_removes_nothing(media):
    orphan = photo(media, "orphan.png")
    assert sweep("--dry-run")[0] == f"would remove {orphan}"
    assert files_in(media) == [orphan]


def test_a_site_with_no_photo_folder_yet_has_nothing_to_sweep(media):
    assert sweep() == [
        "Removed 0 unreferenced photo files (0 younger than 3600 s kept)"
        " and 0 expired login sessions; 0 files of cats missing."
    ]
