"""The host site's own API routes, next to django-catgram's in one NinjaAPI."""

from django.urls import reverse
from ninja import Router

shop_router = Router(tags=["shop"])


@shop_router.get("items/", auth=None)
def list_items(request):
    return [{"name": "Salmon treats", "price": 3}]


@shop_router.get("cats-link/", auth=None)
def cats_link(request):
    """Where the cats are, reversed in the host's own URL namespace."""
    return {"cats": reverse("site-api:cat-list")}
