"""The OpenAPI schema (/v1/schema/) and Swagger UI (/v1/docs/): public, like any API's reference.

Neither needs a sign-in: the schema describes endpoints, never data, and every endpoint it lists still
needs a token or a session. Swagger UI is served from the app (drf-spectacular-sidecar) with its
start-up script fetched from a URL, so the site's Content-Security-Policy stays without inline code.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny


class SchemaApi(SpectacularAPIView):
    # No authentication: a stale token in a client's settings must not turn the schema into a 401.
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]


class SwaggerDocs(SpectacularSwaggerSplitView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    # Drf-spectacular's page with its inline <style> moved to a stylesheet of ours.
    template_name = "api/swagger_ui.html"
