"""What an id is, for every path and every filter: ASCII digits within the range of the model's
primary key column. ``int()`` and ``str.isdigit`` would also take ``"١"``, ``"¹"``, ``" 1"`` or
``"1_0"`` for an id, and a number past the column is nobody's id either.

A path whose id is not one is a path the API does not serve (404); a filter's is 400.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connections, models, router
from django.urls import register_converter

from django_catgram.models import Achievement, Cat, LoginSession

DIGITS = re.compile(r"[0-9]+")


def parse_id(value: str, model: type[models.Model]) -> int | None:
    """``value`` as a primary key of ``model``, or None if it is not one."""
    if not DIGITS.fullmatch(value):
        return None
    pk = int(value)
    field = model._meta.pk
    assert field is not None
    operations = connections[router.db_for_read(model)].ops
    low, high = operations.integer_field_range(field.get_internal_type())
    return pk if low <= pk <= high else None


class IdConverter:
    """A path converter for ids of ``model``: a path with anything else does not match, and
    the API answers 404."""

    regex = DIGITS.pattern
    model: type[models.Model]

    def model_class(self) -> type[models.Model]:
        return self.model

    def to_python(self, value: str) -> int:
        pk = parse_id(value, self.model_class())
        if pk is None:
            raise ValueError(value)  # the pattern does not match
        return pk

    def to_url(self, value: Any) -> str:
        return str(value)


class CatId(IdConverter):
    model = Cat


class AchievementId(IdConverter):
    model = Achievement


class SessionId(IdConverter):
    model = LoginSession


class UserId(IdConverter):
    """A user's id, or ``me``; kept as text for ``users.target_user``."""

    regex = f"me|{DIGITS.pattern}"

    def model_class(self) -> type[models.Model]:
        return get_user_model()

    def to_python(self, value: str) -> str:  # type: ignore[override]
        return value if value == "me" else str(super().to_python(value))


for converter, name in (
    (CatId, "catgram_cat"),
    (AchievementId, "catgram_achievement"),
    (SessionId, "catgram_session"),
    (UserId, "catgram_user"),
):
    register_converter(converter, name)
# The path parameters of the routers: f"cats/{CAT_ID}/".
CAT_ID = "{catgram_cat:cat_id}"
ACHIEVEMENT_ID = "{catgram_achievement:achievement_id}"
SESSION_ID = "{catgram_session:session_id}"
USER_ID = "{catgram_user:user_id}"
