from django.contrib import admin
from django.urls import include, path

from tests.host_api import host_api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("django_catgram.urls")),
    path("v2/", host_api.urls),
]
