"""A host's own NinjaAPI with django-catgram's routers added next to a router of its own."""

from ninja import NinjaAPI, Router

from django_catgram.api import add_routers

host_router = Router(tags=["host"])


@host_router.get("ping", auth=None)
def ping(request):
    return {"pong": True}


@host_router.get("boom", auth=None)
def boom(request):
    raise RuntimeError("a bug in the host's code")


host_api = NinjaAPI(title="Host API", urls_namespace="host-api")
host_api.add_router("host/", host_router)
add_routers(host_api)
