"""Figures: their statistics, the printed table and bench/results.json (no measuring here)."""

from __future__ import annotations

import json
import math
import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results.json"


def percentile(samples: Sequence[float], pct: float) -> float:
    """Linear-interpolated percentile (pct in 0..100) of non-empty `samples`."""
    ordered = sorted(samples)
    if not ordered:
        return math.nan
    rank = (len(ordered) - 1) * pct / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass
class Figure:
    """One measured figure: its samples, and the floor (another figure or a number) it is held to."""

    name: str
    unit: str
    samples: list[float]
    floor: str = ""  # what it is compared with: a figure name or a target such as "≤ 500"
    floor_value: float | None = None
    target: str = ""  # the target, e.g. "ratio ≤ 2.0"
    met: bool | None = None
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def median(self) -> float:
        return statistics.median(self.samples) if self.samples else math.nan

    @property
    def p95(self) -> float:
        return percentile(self.samples, 95)

    @property
    def spread(self) -> tuple[float, float]:
        return (min(self.samples), max(self.samples)) if self.samples else (math.nan, math.nan)

    @property
    def ratio(self) -> float | None:
        if self.floor_value in (None, 0) or not self.samples:
            return None
        return self.median / float(self.floor_value)  # type: ignore[arg-type]

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        low, high = self.spread
        data.update(
            median=_round(self.median), p95=_round(self.p95), min=_round(low), max=_round(high),
            n=len(self.samples), ratio=_round(self.ratio) if self.ratio is not None else None,
            samples=[_round(s) for s in self.samples],
        )  # fmt: skip
        return data


def _round(value: float | None) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    magnitude = abs(value)
    digits = 3 if magnitude < 10 else 2 if magnitude < 100 else 1
    return round(value, digits)


def _fmt(value: float | None) -> str:
    if value is None or math.isnan(value):
        return "–"
    magnitude = abs(value)
    return f"{value:.2f}" if magnitude < 10 else f"{value:.1f}" if magnitude < 100 else f"{value:,.0f}"


HEADERS = ("figure", "median", "p95", "min–max", "n", "unit", "floor / target", "ratio", "ok")


def table_rows(figures: Sequence[Figure]) -> list[tuple[str, ...]]:
    rows = []
    for f in figures:
        low, high = f.spread
        floor = f.floor if f.floor_value is None else f"{f.floor} ({_fmt(f.floor_value)})"
        if f.target:
            floor = f"{floor}; {f.target}" if floor else f.target
        ok = "" if f.met is None else ("yes" if f.met else "NO")
        ratio = f"{f.ratio:.2f}" if f.ratio is not None else ""
        rows.append(
            (f.name, _fmt(f.median), _fmt(f.p95), f"{_fmt(low)}–{_fmt(high)}", str(len(f.samples)), f.unit, floor,
             ratio, ok)
        )  # fmt: skip
    return rows


def render_table(figures: Sequence[Figure]) -> str:
    """A plain-text table, one row per figure, aligned for a terminal."""
    rows = [HEADERS, *table_rows(figures)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADERS))]
    lines = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def render_markdown(figures: Sequence[Figure]) -> str:
    """The same table in Markdown, for the README."""
    rows = table_rows(figures)
    lines = ["| " + " | ".join(HEADERS) + " |", "|" + "---|" * len(HEADERS)]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def write_results(figures: Sequence[Figure], meta: dict[str, Any], path: Path = RESULTS) -> Path:
    doc = {"meta": meta, "figures": {f.name: f.as_dict() for f in figures}}
    path.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    return path
