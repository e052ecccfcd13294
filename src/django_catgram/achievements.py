"""Achievements: anyone logged in lists, reads and adds them; staff change and delete them."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Status

from django_catgram.authentication import jwt_auth
from django_catgram.models import Achievement
from django_catgram.permissions import check_may_change_achievements
from django_catgram.presenters import achievement_object
from django_catgram.routing import make_router
from django_catgram.schemas import (
    AchievementIn,
    AchievementOut,
    AchievementPatch,
    BodyErrors,
    Detail,
)
from django_catgram.services import write_achievement

router = make_router(tags=["achievements"], auth=jwt_auth)
STAFF_ERRORS = {401: Detail, 403: Detail, 404: Detail}
# 400 for a body that is not JSON, or a name that is invalid or taken.
CHANGE_ERRORS = {**STAFF_ERRORS, 400: BodyErrors}


def achievement_of(achievement: Achievement) -> dict[str, Any]:
    return achievement_object(achievement.pk, achievement.name)


def staff_achievement(request: HttpRequest, achievement_id: int) -> Achievement:
    """The achievement to change or delete: 403 unless the caller is staff, then 404 if none."""
    check_may_change_achievements(request)
    return get_object_or_404(Achievement, pk=achievement_id)


@router.get(
    "achievements/",
    response={200: list[AchievementOut], 401: Detail},
    url_name="achievement-list",
    operation_id="list_achievements",
    summary="Every achievement, by name (a bare array, not paginated)",
)
def list_achievements(request: HttpRequest) -> Any:
    achievements = Achievement.objects.order_by("name").values_list("id", "name")
    return [achievement_object(pk, name) for pk, name in achievements]


@router.post(
    "achievements/",
    response={201: AchievementOut, 400: BodyErrors, 401: Detail},
    url_name="achievement-create",
    operation_id="create_achievement",
    summary="Add an achievement; its name must be new",
)
def create_achievement(request: HttpRequest, body: AchievementIn) -> Any:
    return Status(201, achievement_of(write_achievement(Achievement(), body.achievement_name)))


@router.get(
    "achievements/{int:achievement_id}/",
    response={200: AchievementOut, 401: Detail, 404: Detail},
    url_name="achievement-detail",
    operation_id="get_achievement",
    summary="An achievement",
)
def get_achievement(request: HttpRequest, achievement_id: int) -> Any:
    return achievement_of(get_object_or_404(Achievement, pk=achievement_id))


@router.put(
    "achievements/{int:achievement_id}/",
    response={200: AchievementOut, **CHANGE_ERRORS},
    url_name="achievement-update",
    operation_id="update_achievement",
    summary="Rename an achievement (staff)",
)
def update_achievement(request: HttpRequest, achievement_id: int, body: AchievementIn) -> Any:
    achievement = staff_achievement(request, achievement_id)
    return achievement_of(write_achievement(achievement, body.achievement_name))


@router.patch(
    "achievements/{int:achievement_id}/",
    response={200: AchievementOut, **CHANGE_ERRORS},
    url_name="achievement-partial-update",
    operation_id="partial_update_achievement",
    summary="Rename an achievement if a name is sent (staff)",
)
def partial_update_achievement(
    request: HttpRequest, achievement_id: int, body: AchievementPatch
) -> Any:
    achievement = staff_achievement(request, achievement_id)
    return achievement_of(write_achievement(achievement, body.achievement_name))


@router.delete(
    "achievements/{int:achievement_id}/",
    response={204: None, **STAFF_ERRORS},
    url_name="achievement-delete",
    operation_id="delete_achievement",
    summary="Delete an achievement (staff)",
)
def delete_achievement(request: HttpRequest, achievement_id: int) -> Any:
    staff_achievement(request, achievement_id).delete()
    return Status(204, None)
