"""Achievements: anyone logged in lists, reads and adds them; staff change and delete them."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Status

from django_catgram import compiled
from django_catgram.authentication import jwt_auth
from django_catgram.conditional import Check, tag, unless_changed
from django_catgram.ids import ACHIEVEMENT_ID
from django_catgram.messages import _
from django_catgram.models import Achievement
from django_catgram.permissions import may_change_achievement
from django_catgram.presenters import achievement_object
from django_catgram.routing import CatgramRouter
from django_catgram.schemas import (
    AchievementIn,
    AchievementOut,
    AchievementPatch,
    BodyErrors,
    Detail,
)
from django_catgram.services import delete_achievement, write_achievement

ACHIEVEMENT_PATH = f"achievements/{ACHIEVEMENT_ID}/"
router = CatgramRouter(tags=["achievements"], auth=jwt_auth, checks_if_match=True)
# The changes: staff only, checked before the body is read.
STAFF = jwt_auth.requiring(may_change_achievement)
STAFF_ERRORS = {401: Detail, 403: Detail, 404: Detail}
# 400 for a body that is not JSON, or a name that is invalid or taken.
CHANGE_ERRORS = {**STAFF_ERRORS, 400: BodyErrors}


def achievement_of(achievement: Achievement) -> dict[str, Any]:
    return achievement_object(achievement.pk, achievement.name)


def unchanged(request: HttpRequest) -> Check[Achievement] | None:
    """412 for a write whose If-Match names a version of the achievement older than its row's."""
    return unless_changed(request, achievement_of)


@router.get(
    "achievements/",
    response={200: list[AchievementOut], 401: Detail},
    url_name="achievement-list",
    operation_id="list_achievements",
    summary=_("Every achievement, by name (a bare array, not paginated)"),
)
def list_achievements(request: HttpRequest) -> Any:
    achievements = compiled.rows(
        Achievement,
        "every achievement by name",
        lambda: Achievement.objects.order_by("name").values_list("id", "name"),
        [],
    )
    return [achievement_object(pk, name) for pk, name in achievements]


@router.post(
    "achievements/",
    response={201: AchievementOut, 400: BodyErrors, 401: Detail},
    url_name="achievement-create",
    operation_id="create_achievement",
    summary=_("Add an achievement; its name must be new"),
)
def create_achievement(request: HttpRequest, response: HttpResponse, body: AchievementIn) -> Any:
    written = write_achievement(Achievement(), body.achievement_name)
    return Status(201, tag(response, achievement_of(written)))


@router.get(
    ACHIEVEMENT_PATH,
    response={200: AchievementOut, 401: Detail, 404: Detail},
    url_name="achievement-detail",
    operation_id="get_achievement",
    summary=_("An achievement"),
)
def get_achievement(request: HttpRequest, response: HttpResponse, achievement_id: int) -> Any:
    return tag(response, achievement_of(get_object_or_404(Achievement, pk=achievement_id)))


@router.put(
    ACHIEVEMENT_PATH,
    response={200: AchievementOut, **CHANGE_ERRORS},
    url_name="achievement-update",
    operation_id="update_achievement",
    auth=STAFF,
    summary=_("Rename an achievement (staff)"),
)
def update_achievement(
    request: HttpRequest, response: HttpResponse, achievement_id: int, body: AchievementIn
) -> Any:
    achievement = get_object_or_404(Achievement, pk=achievement_id)
    written = write_achievement(achievement, body.achievement_name, unchanged(request))
    return tag(response, achievement_of(written))


@router.patch(
    ACHIEVEMENT_PATH,
    response={200: AchievementOut, **CHANGE_ERRORS},
    url_name="achievement-partial-update",
    operation_id="partial_update_achievement",
    auth=STAFF,
    summary=_("Rename an achievement if a name is sent (staff)"),
)
def partial_update_achievement(
    request: HttpRequest, response: HttpResponse, achievement_id: int, body: AchievementPatch
) -> Any:
    achievement = get_object_or_404(Achievement, pk=achievement_id)
    written = write_achievement(achievement, body.achievement_name, unchanged(request))
    return tag(response, achievement_of(written))


@router.delete(
    ACHIEVEMENT_PATH,
    response={204: None, **STAFF_ERRORS},
    url_name="achievement-delete",
    operation_id="delete_achievement",
    auth=STAFF,
    summary=_("Delete an achievement (staff)"),
)
def delete(request: HttpRequest, achievement_id: int) -> Any:
    delete_achievement(get_object_or_404(Achievement, pk=achievement_id), unchanged(request))
    return Status(204, None)
