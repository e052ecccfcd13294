"""Cats: anyone logged in lists and reads them; the owner (or staff) changes and deletes them."""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Query, Status
from ninja.pagination import paginate

from django_catgram.authentication import jwt_auth
from django_catgram.conditional import Check, tag, unless_changed
from django_catgram.counts import count_cats
from django_catgram.filters import CatFilterQuery, filter_cats
from django_catgram.ids import CAT_ID
from django_catgram.messages import _
from django_catgram.models import Cat
from django_catgram.pagination import PageNumberPagination
from django_catgram.permissions import caller, may_change_cat
from django_catgram.presenters import (
    cat_object_by_id,
    cat_objects,
    cat_page,
    written_cat_object,
)
from django_catgram.routing import CatgramRouter
from django_catgram.schemas import BodyErrors, CatIn, CatOut, CatPatch, Detail, FieldErrors
from django_catgram.services import delete_cat, write_cat
from django_catgram.signals import cat_created, cat_deleted, cat_updated, send_after_commit

CAT_PATH = f"cats/{CAT_ID}/"
router = CatgramRouter(tags=["cats"], auth=jwt_auth, checks_if_match=True)
# The changes: the owner or staff, checked before the body is read.
OWNER_OR_STAFF = jwt_auth.requiring(may_change_cat)
ERRORS = {400: FieldErrors, 401: Detail}
CAT_ERRORS = {401: Detail, 404: Detail}
# 400 also for a body that is not JSON.
CHANGE_ERRORS = {400: BodyErrors, 401: Detail, 403: Detail, 404: Detail}


def cats() -> QuerySet[Cat]:
    """Cats in the default order: name, then id."""
    return Cat.objects.order_by("name", "id")


@router.get(
    "cats/",
    response={200: list[CatOut], **ERRORS, 404: Detail},
    url_name="cat-list",
    operation_id="list_cats",
    summary=_("Cats, a page at a time, filtered by the query parameters"),
)
@paginate(PageNumberPagination, serialize=cat_objects, count=count_cats, items=cat_page)
def list_cats(
    request: HttpRequest,
    # Made at import time from CatFilter (filters.py): a class mypy cannot know the fields of.
    filters: Query[CatFilterQuery],  # type: ignore[valid-type]
) -> Any:
    return filter_cats(request, cats())


@router.post(
    "cats/",
    response={201: CatOut, **ERRORS, 400: BodyErrors},
    url_name="cat-create",
    operation_id="create_cat",
    summary=_("Add a cat; the caller is its owner"),
)
def create_cat(request: HttpRequest, response: HttpResponse, body: CatIn) -> Any:
    cat = write_cat(Cat(owner=caller(request)), body)
    send_after_commit(cat_created, Cat, cat=cat, request=request)
    return Status(201, tag(response, written_cat_object(request, cat)))


@router.get(
    CAT_PATH,
    response={200: CatOut, **CAT_ERRORS},
    url_name="cat-detail",
    operation_id="get_cat",
    summary=_("A cat"),
)
def get_cat(request: HttpRequest, response: HttpResponse, cat_id: int) -> Any:
    found = cat_object_by_id(request, cat_id)
    if found is None:
        raise Http404
    return tag(response, found)


def unchanged(request: HttpRequest) -> Check[Cat] | None:
    """412 for a write whose If-Match names a version of the cat older than its row's."""
    return unless_changed(request, lambda cat: cat_object_by_id(request, cat.pk))


def change_cat(request: HttpRequest, response: HttpResponse, cat_id: int, body: CatIn) -> Any:
    # Only the id: write_cat reads the row as it locks it.
    cat = write_cat(Cat(pk=cat_id), body, unchanged(request))
    send_after_commit(cat_updated, Cat, cat=cat, request=request)
    return tag(response, written_cat_object(request, cat))


@router.put(
    CAT_PATH,
    response={200: CatOut, **CHANGE_ERRORS},
    url_name="cat-update",
    operation_id="update_cat",
    auth=OWNER_OR_STAFF,
    summary=_("Replace a cat (owner or staff)"),
)
def update_cat(request: HttpRequest, response: HttpResponse, cat_id: int, body: CatIn) -> Any:
    return change_cat(request, response, cat_id, body)


@router.patch(
    CAT_PATH,
    response={200: CatOut, **CHANGE_ERRORS},
    url_name="cat-partial-update",
    operation_id="partial_update_cat",
    auth=OWNER_OR_STAFF,
    summary=_("Change the fields sent (owner or staff)"),
)
def partial_update_cat(
    request: HttpRequest, response: HttpResponse, cat_id: int, body: CatPatch
) -> Any:
    return change_cat(request, response, cat_id, body)


@router.delete(
    CAT_PATH,
    response={204: None, **CAT_ERRORS, 403: Detail},
    url_name="cat-delete",
    operation_id="delete_cat",
    auth=OWNER_OR_STAFF,
    summary=_("Delete a cat and its photo (owner or staff)"),
)
def delete(request: HttpRequest, cat_id: int) -> Any:
    cat = delete_cat(Cat(pk=cat_id), unchanged(request))  # which reads the row as it locks it
    send_after_commit(cat_deleted, Cat, cat=cat, request=request)
    return Status(204, None)
