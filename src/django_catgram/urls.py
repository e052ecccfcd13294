"""URLs for ``path("api/", include("django_catgram.urls"))``: the API, its docs and schema."""

from django_catgram.api import URLS_NAMESPACE, api

app_name = URLS_NAMESPACE
urlpatterns = api.urls[0]
