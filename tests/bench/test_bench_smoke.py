"""The benchmark's table and results.json writer, on fake figures (the benchmark itself is not run)."""

from __future__ import annotations

import json
import math
from pathlib import Path

from bench.report import Figure, percentile, render_markdown, render_table, write_results


def _figures() -> list[Figure]:
    hop = Figure("celery_hop_ms", "ms", [2.0, 2.5, 3.0])
    node = Figure("node_overhead_ms", "ms", [4.0, 5.0, 6.0, 40.0], floor="celery_hop_ms", floor_value=hop.median,
                  target="ratio ≤ 2.0", met=False)  # fmt: skip
    empty = Figure("ws_latency_ms", "ms", [])
    return [node, hop, empty]


def test_percentile_interpolates_and_handles_edges() -> None:
    assert percentile([1, 2, 3, 4, 5], 50) == 3
    assert percentile([10.0], 95) == 10.0
    assert percentile([0, 100], 95) == 95
    assert math.isnan(percentile([], 50))


def test_figure_ratio_is_median_over_floor() -> None:
    node = _figures()[0]
    assert node.median == 5.5
    assert node.ratio == 5.5 / 2.5
    assert node.spread == (4.0, 40.0)
    assert Figure("x", "ms", [1.0]).ratio is None


def test_render_table_has_one_aligned_row_per_figure() -> None:
    text = render_table(_figures())
    lines = text.splitlines()
    assert lines[0].split()[:3] == ["figure", "median", "p95"]
    assert len(lines) == 2 + 3
    node_row = next(line for line in lines if line.startswith("node_overhead_ms"))
    assert "5.50" in node_row and "celery_hop_ms (2.50)" in node_row and "2.20" in node_row and "NO" in node_row
    assert "–" in next(line for line in lines if line.startswith("ws_latency_ms"))


def test_render_markdown_is_a_table() -> None:
    lines = render_markdown(_figures()).splitlines()
    assert lines[0].startswith("| figure |") and lines[1].startswith("|---|")
    assert all(line.count("|") == lines[0].count("|") for line in lines[2:])


def test_write_results_round_trips_the_figures(tmp_path: Path) -> None:
    path = write_results(_figures(), {"mode": "quick"}, tmp_path / "results.json")
    doc = json.loads(path.read_text())
    assert doc["meta"] == {"mode": "quick"}
    node = doc["figures"]["node_overhead_ms"]
    assert node["median"] == 5.5 and node["n"] == 4 and node["ratio"] == 2.2 and node["met"] is False
    assert node["min"] == 4.0 and node["max"] == 40.0 and node["samples"] == [4.0, 5.0, 6.0, 40.0]
    assert doc["figures"]["ws_latency_ms"]["median"] is None
