"""``manage.py catgram_reencode``: re-encode stored photos, as a new upload would be.

Photos stored by a release before photos were re-encoded still hold what their client sent,
EXIF and its GPS position included, and have no thumbnail. This command re-encodes each such
photo (by default those without a thumbnail; ``--all`` for every photo, after changing the
image settings), makes its thumbnail, and deletes the old file once the new one is committed.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db.models import Q

from django_catgram.images import InvalidImage, encoded_photo
from django_catgram.models import Cat
from django_catgram.schemas import CatPatch
from django_catgram.services import write_cat


class Command(BaseCommand):
    help = "Re-encode stored photos (those without a thumbnail, or --all) and make thumbnails."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--all",
            action="store_true",
            dest="every_photo",
            help="every photo, not only those without a thumbnail",
        )

    def handle(self, *args: Any, every_photo: bool, **options: Any) -> None:
        cats = Cat.objects.exclude(image="").exclude(image=None).order_by("pk")
        if not every_photo:
            cats = cats.filter(Q(thumbnail=None) | Q(thumbnail=""))
        done = failed = 0
        for cat in cats.iterator(chunk_size=500):
            try:
                with cat.image.open("rb") as file:
                    photo = encoded_photo(file, None)
            except (InvalidImage, OSError) as error:
                failed += 1
                self.stderr.write(f"cat {cat.pk}: {cat.image.name} kept as it is: {error}")
                continue
            # Built, not validated: the photo is decoded already.
            cat = write_cat(cat, CatPatch.model_construct(image=photo))
            done += 1
            self.stdout.write(f"cat {cat.pk}: {cat.image.name} re-encoded")
        self.stdout.write(f"Re-encoded {done} photos; {failed} could not be read and were kept.")
