from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from django_catgram.throttles import limit_logins
from example_project.health import liveness, readiness

urlpatterns = [
    # Password guesses at the admin count against the API's login limits.
    path("admin/login/", limit_logins(admin.site.login)),
    path("admin/", admin.site.urls),
    path("api/", include("django_catgram.urls")),
    path("health/live/", liveness, name="health-live"),
    path("health/ready/", readiness, name="health-ready"),
    *static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT),
]

handler400 = "example_project.errors.bad_request"
handler403 = "example_project.errors.permission_denied"
handler404 = "example_project.errors.page_not_found"
handler500 = "example_project.errors.server_error"
