"""``manage.py catgram_sweep``: remove photo files no cat refers to and login sessions that have
expired; report cats' missing files.

A write deletes the photo it replaces only after it commits, and only if the storage lets it:
a file that could not be deleted then (an unwritable folder, a storage outage) is left behind,
and this command removes it. It is safe while the site serves: files younger than the grace
period belong to writes that may still be about to commit, and are kept.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.files.storage import Storage
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from django_catgram.models import PHOTO_FOLDER, Cat, LoginSession


def stored_photos(storage: Storage) -> set[str]:
    """The names of the files in the photo folder (none if it does not exist yet)."""
    try:
        _folders, files = storage.listdir(PHOTO_FOLDER)
    except FileNotFoundError:
        return set()
    return {f"{PHOTO_FOLDER}{name}" for name in files}


class Command(BaseCommand):
    help = (
        "Remove photo and thumbnail files that no cat refers to (older than the grace period) "
        "and expired login sessions, and list the cats' files that are missing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--grace-seconds",
            type=int,
            default=3600,
            help="keep unreferenced files younger than this, for writes in flight (default 3600)",
        )
        parser.add_argument("--dry-run", action="store_true", help="list, remove nothing")

    def handle(self, *args: Any, grace_seconds: int, dry_run: bool, **options: Any) -> None:
        storage = Cat.image.field.storage
        # Files first, rows second: a file written after the listing is not seen at all, and
        # one listed before its row committed is young enough to be kept.
        files = stored_photos(storage)
        referenced: set[str] = set()
        missing = 0
        for cat_id, *names in (
            Cat.objects.exclude(image="")
            .exclude(image=None)
            .values_list("pk", "image", "thumbnail")
            .iterator(chunk_size=2000)
        ):
            for name in filter(None, names):
                referenced.add(name)
                if name not in files and not storage.exists(name):
                    missing += 1
                    self.stdout.write(f"missing {name} (cat {cat_id})")
        cutoff = timezone.now() - timedelta(seconds=grace_seconds)
        removed = kept = 0
        for name in sorted(files - referenced):
            if storage.get_modified_time(name) > cutoff:
                kept += 1
                continue
            if not dry_run:
                storage.delete(name)
            removed += 1
            self.stdout.write(f"{'would remove' if dry_run else 'removed'} {name}")
        expired = LoginSession.objects.filter(expires_at__lt=timezone.now())
        sessions = expired.count() if dry_run else expired.delete()[0]
        self.stdout.write(
            f"{'Would remove' if dry_run else 'Removed'} {removed} unreferenced photo files "
            f"({kept} younger than {grace_seconds} s kept) and {sessions} expired login "
            f"sessions; {missing} files of cats missing."
        )
