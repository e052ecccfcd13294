"""The django-catgram ``NinjaAPI`` that ``django_catgram.urls`` serves, and the host surface."""

from __future__ import annotations

from importlib.metadata import version

from ninja import NinjaAPI
from ninja.parser import Parser

from django_catgram import achievements, auth, cats, users
from django_catgram.errors import add_exception_handlers
from django_catgram.messages import _
from django_catgram.parsers import CatgramParser
from django_catgram.routing import answer_other_methods

URLS_NAMESPACE = "catgram"
ROUTERS = (auth.router, users.router, cats.router, achievements.router)


def add_routers(api: NinjaAPI, prefix: str = "") -> None:
    """Add the cats API to a host's own ``NinjaAPI``, with its DRF-shaped error handlers.

    An API with Ninja's plain parser gets ours, which reads multipart forms too.
    """
    add_exception_handlers(api)
    if type(api.parser) is Parser:
        api.parser = CatgramParser()
    for router in ROUTERS:
        answer_other_methods(router)
        api.add_router(prefix, router)


api = NinjaAPI(
    title="Catgram API",
    version=version("django-catgram"),
    description=_("Owners register, log in with JWT and keep cards for their cats."),
    urls_namespace=URLS_NAMESPACE,
    parser=CatgramParser(),
)
add_routers(api)
