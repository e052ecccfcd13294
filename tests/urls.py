from django.contrib import admin
from django.urls import include, path

from django_catgram.throttles import limit_logins
from tests.host_api import host_api

urlpatterns = [
    path("admin/login/", limit_logins(admin.site.login)),
    path("admin/", admin.site.urls),
    path("api/", include("django_catgram.urls")),
    path("v2/", host_api.urls),
]
