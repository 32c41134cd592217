"""Server-rendered pages: workflow list, builder, credentials, API tokens, and the starter templates of examples/."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from backend.accounts.holders import request_owner
from backend.api.views.workflows import workflow_document, workflow_summary
from backend.core.errors import NotFound
from backend.workflows.selectors import workflow_get, workflow_list

_TEMPLATE_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,80}$")


def examples_dir() -> Path:
    """Where the starter templates live (overridable for tests with AUTOMATEOS_EXAMPLES_DIR)."""
    return Path(getattr(settings, "AUTOMATEOS_EXAMPLES_DIR", settings.BASE_DIR / "examples"))


@login_required
@require_GET
def workflows_page(request: HttpRequest) -> HttpResponse:
    workflows = [workflow_summary(w) for w in workflow_list(user=request_owner(request))[:500]]
    return render(request, "workflows.html", {"workflows": workflows, "nav": "workflows"})


@login_required
@require_GET
def builder_page(request: HttpRequest, workflow_id: uuid.UUID | None = None) -> HttpResponse:
    workflow = None
    if workflow_id is not None:
        try:
            workflow = workflow_document(workflow_get(user=request_owner(request), workflow_id=workflow_id))
        except NotFound:
            raise Http404("workflow not found") from None
    boot = {"workflow": workflow, "fresh": request.GET.get("new") == "1", "templates": example_templates()}
    title = workflow["name"] if workflow else "Builder"
    return render(request, "builder.html", {"boot": boot, "title": title, "nav": "builder"})


@never_cache
@login_required
@require_GET
def credentials_page(request: HttpRequest) -> HttpResponse:
    return render(request, "credentials.html", {"nav": "credentials"})


@never_cache
@login_required
@require_GET
def tokens_page(request: HttpRequest) -> HttpResponse:
    return render(request, "tokens.html", {"nav": "tokens"})


def example_templates() -> list[dict[str, str]]:
    """Every starter workflow in examples/ (name, title, description) for the builder's Templates menu."""
    found = []
    for path in sorted(examples_dir().glob("*.json")):
        if not _TEMPLATE_NAME.fullmatch(path.stem):
            continue
        try:
            meta = json.loads(path.read_text()).get("meta") or {}
        except (OSError, ValueError, AttributeError):
            continue  # a broken file is left out of the menu; the test suite compiles every example
        found.append(
            {
                "name": path.stem,
                "title": str(meta.get("name") or path.stem),
                "description": str(meta.get("description") or ""),
            }
        )
    return found


@login_required
@require_GET
def example_template(request: HttpRequest, name: str) -> HttpResponse:
    """A starter workflow file from examples/ (only plain names: no path can escape the folder)."""
    if not _TEMPLATE_NAME.fullmatch(name):
        raise Http404("unknown template")
    path = examples_dir() / f"{name}.json"
    if not path.is_file():
        raise Http404("unknown template")
    response = HttpResponse(path.read_bytes(), content_type="application/json; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response
