"""``manage.py catgram_seed``: demo data, from a friendly handful to millions of cats."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from itertools import islice
from typing import Any

import webcolors
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.db.models import EmailField
from django.utils import timezone

from django_catgram.models import MIN_BIRTH_YEAR, Achievement, AchievementCat, Cat
from django_catgram.usernames import fill as fill_username_rows

CAT_NAMES = [
    "Barsik", "Murka", "Vaska", "Pushok", "Ryzhik", "Simba",
    "Luna", "Tom", "Felix", "Musya", "Snezhok", "Tigra",
]  # fmt: skip
ACHIEVEMENT_NAMES = [
    "Catches mice", "Sleeps all day", "Opens doors", "Purrs loudly",
    "Knocks cups off", "Walks on a leash", "Hunts laser dots", "Guards the sofa",
]  # fmt: skip


def count(value: str) -> int:
    """A whole number, zero or more (for argparse)."""
    number = int(value)
    if number < 0:
        raise ValueError(value)
    return number


def positive(value: str) -> int:
    """A whole number, one or more (for argparse)."""
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


def demo_username(index: int, username_field: str) -> str:
    """``user<index>``; an address at example.com when users log in with an e-mail field."""
    field = get_user_model()._meta.get_field(username_field)
    return f"user{index}@example.com" if isinstance(field, EmailField) else f"user{index}"


class Command(BaseCommand):
    help = (
        "Create demo users user0, user1, ..., achievements and cats in bulk. "
        "Without options: a small, friendly demo set."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--users", type=count, default=3, help="users (default 3)")
        parser.add_argument("--cats", type=count, default=12, help="cats (default 12)")
        parser.add_argument(
            "--achievements", type=count, default=8, help="achievements (default 8)"
        )
        parser.add_argument(
            "--per-cat", type=count, default=2, help="achievements per cat (default 2)"
        )
        parser.add_argument(
            "--password", default="catgram-demo", help="password of new users (catgram-demo)"
        )
        parser.add_argument(
            "--admin", action="store_true", help="make user0 a superuser, for the admin"
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when any cat exists already"
        )
        parser.add_argument(
            "--batch-size", type=positive, default=5000, help="rows per INSERT (default 5000)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and Cat.objects.exists():
            self.stdout.write("Cats exist already: nothing seeded.")
            return
        if options["cats"] and not options["users"]:
            self.stderr.write("Cats need an owner: give --users 1 or more.")
            raise SystemExit(2)
        started = time.monotonic()
        with transaction.atomic():
            owners = self.seed_users(options["users"], options["password"], options["admin"])
            achievement_ids = self.seed_achievements(options["achievements"])
            links = self.seed_cats(
                options["cats"], owners, achievement_ids, options["per_cat"], options["batch_size"]
            )
        self.stdout.write(
            f"Seeded {len(owners)} users, {len(achievement_ids)} achievements, "
            f"{options['cats']} cats with {links} achievement links "
            f"in {time.monotonic() - started:.1f}s."
        )

    def seed_users(self, count: int, password: str, admin: bool) -> list[int]:
        """Create the missing users among user0..user<count-1>; return all their ids."""
        user_model = get_user_model()
        username_field = user_model.USERNAME_FIELD
        email_field = user_model.get_email_field_name()
        usernames = [demo_username(index, username_field) for index in range(count)]
        existing = set(
            user_model._default_manager.filter(**{f"{username_field}__in": usernames}).values_list(
                username_field, flat=True
            )
        )
        hashed = make_password(password)
        new_users = []
        for username in usernames:
            if username in existing:
                continue
            user = user_model(**{username_field: username}, password=hashed)
            if email_field != username_field:
                setattr(user, email_field, f"{username}@example.com")
            new_users.append(user)
        created = user_model._default_manager.bulk_create(new_users, batch_size=1000)
        if admin and usernames:
            user_model._default_manager.filter(**{username_field: usernames[0]}).update(
                is_staff=True, is_superuser=True
            )
        by_name = dict(
            user_model._default_manager.filter(**{f"{username_field}__in": usernames}).values_list(
                username_field, "pk"
            )
        )
        # bulk_create sends no post_save: write the names' rows here.
        new_pks = [by_name[getattr(user, username_field)] for user in created]
        fill_username_rows(user_model._default_manager.filter(pk__in=new_pks))
        return [by_name[username] for username in usernames]

    def seed_achievements(self, count: int) -> list[int]:
        """Make sure the first ``count`` achievement names exist; return their ids."""
        names = [
            ACHIEVEMENT_NAMES[index] if index < len(ACHIEVEMENT_NAMES) else f"Achievement {index}"
            for index in range(count)
        ]
        Achievement.objects.bulk_create(
            [Achievement(name=name) for name in names], ignore_conflicts=True, batch_size=1000
        )
        by_name = dict(Achievement.objects.filter(name__in=names).values_list("name", "pk"))
        return [by_name[name] for name in names]

    def seed_cats(
        self,
        count: int,
        owners: list[int],
        achievement_ids: list[int],
        per_cat: int,
        batch_size: int,
    ) -> int:
        """Create ``count`` cats in batches, each with ``per_cat`` achievements; count the links."""
        rng = random.Random(count)
        colors = webcolors.names("css3")
        this_year = timezone.now().year
        per_cat = min(per_cat, len(achievement_ids))

        def cats() -> Iterator[Cat]:
            for index in range(count):
                name = CAT_NAMES[index % len(CAT_NAMES)]
                if index >= len(CAT_NAMES):
                    name = f"{name} {index // len(CAT_NAMES)}"
                yield Cat(
                    name=name,
                    color=colors[rng.randrange(len(colors))],
                    birth_year=rng.randint(max(MIN_BIRTH_YEAR, this_year - 20), this_year),
                    owner_id=owners[index % len(owners)],
                )

        links = 0
        batches = iter(cats())
        while batch := list(islice(batches, batch_size)):
            Cat.objects.bulk_create(batch)
            pairs = [
                AchievementCat(cat_id=cat.pk, achievement_id=achievement_id)
                for cat in batch
                for achievement_id in rng.sample(achievement_ids, per_cat)
            ]
            AchievementCat.objects.bulk_create(pairs)
            links += len(pairs)
        return links
