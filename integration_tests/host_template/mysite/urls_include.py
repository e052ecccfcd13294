"""The host's urls.py when it mounts django-catgram's own API at /v2/."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("v2/", include("django_catgram.urls")),
]
