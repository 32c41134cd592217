"""The /v1 routes the URL resolver serves, enumerated (never a hand-kept list): routes added later count too."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")
# Public pages of the API itself, not resources: no owner, no object id.
UNOWNED = ("/v1/schema/", "/v1/docs/")


@dataclass(frozen=True)
class Route:
    path: str  # OpenAPI form: /v1/workflows/{workflow_id}
    params: dict[str, str]  # name → converter (uuid, int, str, …)
    view: Any

    @property
    def public(self) -> bool:
        """Served without a sign-in (AllowAny): not scoped to a user, so outside the isolation matrix."""
        view_class = getattr(self.view, "view_class", None) or getattr(self.view, "cls", None)
        return any(getattr(p, "__name__", "") == "AllowAny" for p in getattr(view_class, "permission_classes", []))

    def methods(self) -> list[str]:
        """The HTTP methods its view answers, OPTIONS and HEAD aside."""
        view_class = getattr(self.view, "view_class", None) or getattr(self.view, "cls", None)
        if view_class is None:
            return ["GET"]
        names = ("get", "post", "put", "patch", "delete")
        return [name.upper() for name in names if hasattr(view_class, name)]


def v1_routes() -> list[Route]:
    found: list[Route] = []

    def walk(patterns: list[Any], prefix: str) -> None:
        for pattern in patterns:
            text = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, text)
            elif isinstance(pattern, URLPattern) and text.startswith("v1/") and pattern.name != "api-not-found":
                params = {name: converter or "str" for converter, name in _PARAM.findall(text)}
                found.append(Route("/" + _PARAM.sub(r"{\2}", text), params, pattern.callback))

    walk(get_resolver().url_patterns, "")
    return found
