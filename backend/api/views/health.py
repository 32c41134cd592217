"""GET /healthz: database and broker reachability, 503 naming the failing part."""

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

    def get(self, request: Request) -> Response:
        report = health_check()
        return Response(report, status=200 if report["ok"] else 503)
