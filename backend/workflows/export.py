"""Export of a stored workflow as the prototype's builder file, and its file name."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from backend.core.timefmt import iso_ms, utc_now
from backend.workflows.formats import FILE_VERSION


def to_builder_file(
    *,
    name: str,
    graph: Mapping[str, Any],
    variables: Mapping[str, Any] | None = None,
    description: str = "",
    exported_at: datetime | None = None,
) -> dict[str, Any]:
    """The builder file for a stored workflow (names of credentials only: configs never hold secrets)."""
    meta: dict[str, Any] = {"name": name, "version": FILE_VERSION, "exportedAt": iso_ms(exported_at or utc_now())}
    if description:
        meta["description"] = description
    doc: dict[str, Any] = {
        "nodes": list(graph.get("nodes") or []),
        "edges": list(graph.get("edges") or []),
        "meta": meta,
        "metadata": {},
    }
    if variables:
        doc["vars"] = dict(variables)
    return doc


def export_filename(name: str) -> str:
    """`<name in kebab case>-v1.json`, e.g. "Ping the Team!" → `ping-the-team-v1.json`."""
    # Split camelCase too, as the prototype's kebab-case helper did.
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1-\2", ascii_name)
    slug = re.sub(r"[^a-z0-9]+", "-", spaced.lower()).strip("-")[:100].rstrip("-")
    return f"{slug or 'workflow'}-v{FILE_VERSION}.json"
