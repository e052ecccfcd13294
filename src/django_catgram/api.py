"""The django-catgram ``NinjaAPI`` that ``django_catgram.urls`` serves."""

from __future__ import annotations

from importlib.metadata import version

from ninja import NinjaAPI

URLS_NAMESPACE = "catgram"

api = NinjaAPI(
    title="Catgram API",
    version=version("django-catgram"),
    description="Owners register, log in with JWT and keep cards for their cats.",
    urls_namespace=URLS_NAMESPACE,
)
