"""A success that took only some outputs (a branch, a switch), or a failure its node handles: the outputs
not taken skip what they lead to."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db.models import Case, F, Value, When

from backend.core.types import Uuid
from backend.events.publisher import EventDraft
from backend.runs.states import StepStatus
from backend.runs.store.base import Finished, StepOutcome


class BranchingFinish:
    """Mixed into both stores (through CommonStore): a rare path, so one ORM form serves both.

    A successor on a taken output gets a delivered input; one on an output not taken gets its input
    counted without a delivery. A step whose inputs are all in with none delivered is skipped, and
    its own successors get undelivered inputs in turn, so a node after both sides of a branch runs
    once and everything only the untaken side leads to is skipped.
    """

    def finish_branching(self, o: StepOutcome) -> Finished | None:
        store: Any = self
        with store.atomic():
            won = (
                store.steps()
                .filter(pk=o.step_id, attempt=o.attempt, status__guard=StepStatus.RUNNING)
                .update(status=o.status, output=o.output, error=o.error, finished_at=o.now, duration_ms=o.duration_ms)
            )
            if not won:
                return None
            ready, ends = self.release(run_id=o.run_id, nodes=o.successors, delivered=True, now=o.now)
            more, dead = self.release(run_id=o.run_id, nodes=o.dead, delivered=False, now=o.now)
            ready, ends = ready + more, ends + dead
            skipped: list[str] = []
            while ends:
                moved = self._skip_undelivered(run_id=o.run_id, nodes=ends, now=o.now)
                skipped += [node_id for node_id, _ in moved]
                following = [successor for _, successors in moved for successor in successors]
                more, ends = self.release(run_id=o.run_id, nodes=following, delivered=False, now=o.now)
                ready += more
            drafts = [*o.drafts, *untaken_drafts(skipped)]
            counters = store.move_counters(run_id=o.run_id, drafts=drafts, now=o.now, done=1 + len(skipped), failed=0)
            finished: Finished = store.settle(run_id=o.run_id, counters=counters, ready=sorted(ready), now=o.now)
            return finished

    def release(
        self, *, run_id: Uuid, nodes: Sequence[str], delivered: bool, now: datetime
    ) -> tuple[list[int], list[str]]:
        """One input of each of `nodes` (a node listed twice gets two) is in; returns (the step ids now
        ready, the node ids now complete with no delivered input). Only the finish that takes a count
        to zero sees it at zero: the update locks the rows, so the read after it is exact."""
        store: Any = self
        ready: list[int] = []
        ends: list[str] = []
        by_count: dict[int, list[str]] = {}
        for node_id, count in Counter(nodes).items():
            by_count.setdefault(count, []).append(node_id)
        for count, group in sorted(by_count.items()):
            rows = store.steps().filter(run_id=run_id, node_id__in=group)
            ready_at = Case(When(pending_deps=count, then=Value(now)), default=F("queued_at"))
            rows.update(
                pending_deps=F("pending_deps") - count,
                live_inputs=F("live_inputs") + (count if delivered else 0),
                queued_at=ready_at,
            )
            complete = rows.filter(pending_deps=0, status=StepStatus.QUEUED).order_by("pk")
            for pk, node_id, live in complete.values_list("pk", "node_id", "live_inputs"):
                (ready.append(pk) if live > 0 else ends.append(node_id))
            if delivered:  # a merge's "first" mode runs on its first delivered input
                first = rows.filter(first_input=True, live_inputs=count, pending_deps__gt=0, status=StepStatus.QUEUED)
                ready += list(first.order_by("pk").values_list("pk", flat=True))
        return ready, ends

    def _skip_undelivered(self, *, run_id: Uuid, nodes: Sequence[str], now: datetime) -> list[tuple[str, list[str]]]:
        """Queued `nodes` → skipped, locked in pk order; (node id, its successors) of each, in plan order."""
        store: Any = self
        queued = store.steps().filter(run_id=run_id, node_id__in=list(nodes), status__guard=StepStatus.QUEUED)
        rows = list(queued.select_for_update().order_by("pk").values_list("pk", "node_id", "position", "successors"))
        store.steps().filter(pk__in=[row[0] for row in rows]).update(status=StepStatus.SKIPPED, finished_at=now)
        return [(node_id, list(successors or [])) for _, node_id, _, successors in sorted(rows, key=lambda r: r[2])]


def untaken_drafts(skipped: Sequence[str]) -> list[EventDraft]:
    """One step_skipped event per node no taken output reached."""
    return [
        EventDraft(type="step_skipped", node_id=n, message=f"{n} skipped: no branch taken leads to it") for n in skipped
    ]
