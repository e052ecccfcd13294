"""Health endpoints for load balancers, on django-health-check.

``health/live/``: the process answers (no check). ``health/ready/``: the database, the cache and
the photo storage answer, each within django-health-check's per-check budget (5 s); 503 while
any does not. Both answer JSON whatever the client accepts and whatever the method (OPTIONS
200, any other but GET and HEAD a 405, as the API's paths), and are never cached.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from health_check.views import HealthCheckView

from django_catgram.urls import serves


class Health(HealthCheckView):
    """django-health-check's view, always JSON, 503 (not 500) while a check fails."""

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> HttpResponse:
        # The HTML answer for Accept */*, which is what load balancers send.
        return self.render_to_response_json(kwargs.get("status", 200))

    def render_to_response_json(self, status: int) -> HttpResponse:
        response = super().render_to_response_json(503 if status >= 500 else status)
        if response.status_code == 503:
            response["Retry-After"] = "5"
        return response


# Django's own answers to other methods would be HTML: its CSRF page, an empty 405.
reads = serves("GET", "HEAD")
liveness = reads(Health.as_view(checks=()))
readiness = reads(
    Health.as_view(
        checks=(
            "health_check.checks.Database",
            "health_check.checks.Cache",
            "health_check.checks.Storage",
        )
    )
)
