"""The host's urls.py when django-catgram's routers join the host's own NinjaAPI at /v2/."""

from django.contrib import admin
from django.urls import path
from ninja import NinjaAPI

from django_catgram.api import add_routers
from mysite.shop import shop_router  # the site's own routes

api = NinjaAPI(title="Site API", urls_namespace="site-api")
api.add_router("shop/", shop_router)
add_routers(api)  # auth/, token/, users/, cats/, achievements/; add_routers(api, "pets/") nests

urlpatterns = [
    path("admin/", admin.site.urls),
    path("v2/", api.urls),
]
