"""The django-catgram ``NinjaAPI`` that ``django_catgram.urls`` serves, and the host surface."""

from __future__ import annotations

from importlib.metadata import version

from ninja import NinjaAPI

from django_catgram import auth, users
from django_catgram.errors import add_exception_handlers

URLS_NAMESPACE = "catgram"
ROUTERS = (auth.router, users.router)


def add_routers(api: NinjaAPI, prefix: str = "") -> None:
    """Add the cats API to a host's own ``NinjaAPI``, with its DRF-shaped error handlers."""
    add_exception_handlers(api)
    for router in ROUTERS:
        api.add_router(prefix, router)


api = NinjaAPI(
    title="Catgram API",
    version=version("django-catgram"),
    description="Owners register, log in with JWT and keep cards for their cats.",
    urls_namespace=URLS_NAMESPACE,
)
add_routers(api)
