"""The guard lookups: the same rows as `exact` / `in`, through an expression no index on the column serves."""

from __future__ import annotations

from typing import Any

from backend.runs.models import Run
from backend.runs.services import run_start
from tests.support.graphs import chain, http_node, start_node


def _runs(user: Any, count: int) -> list[Any]:
    graph = {"nodes": [start_node(), http_node("a", "http://127.0.0.1:9/")], "edges": chain("start", "a")}
    return [run_start(owner=user, graph=graph)[0] for _ in range(count)]


def test_guard_lookups_match_what_exact_and_in_match(user: Any, discard_dispatch: None) -> None:
    first, second, third = _runs(user, 3)
    Run.objects.filter(pk=second.pk).update(status="running")
    Run.objects.filter(pk=third.pk).update(status="succeeded")
    assert set(Run.objects.filter(status__guard="running")) == set(Run.objects.filter(status="running"))
    active = ["queued", "running"]
    assert (
        set(Run.objects.filter(status__guard_in=active))
        == {first, second}
        == set(Run.objects.filter(status__in=active))
    )


def test_guard_lookups_compare_an_expression_not_the_column(db: Any) -> None:
    for queryset in (Run.objects.filter(status__guard="queued"), Run.objects.filter(status__guard_in=["queued"])):
        assert '"runs_run"."status" || \'\')' in str(queryset.query)
