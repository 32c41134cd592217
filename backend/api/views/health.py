"""GET /healthz: database, broker and worker liveness, 503 naming the failing part (`?scope=web`: no workers)."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.core.health import health_check


class HealthApi(APIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes: list[Any] = []

    def get(self, request: Request) -> Response:
        report = health_check(with_workers=request.query_params.get("scope") != "web")
        return Response(report, status=200 if report["ok"] else 503)
