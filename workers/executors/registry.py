"""The explicit registry of node kinds: adding one is a module, a line here and a test file."""

from __future__ import annotations

from workers.executors.base import Executor, NodeSpec
from workers.executors.branch import BranchExecutor
from workers.executors.delay import DelayExecutor
from workers.executors.http_request import HttpRequestExecutor
from workers.executors.merge import MergeExecutor
from workers.executors.notion import NotionPageExecutor
from workers.executors.slack import SlackExecutor
from workers.executors.start import StartExecutor
from workers.executors.switch import SwitchExecutor
from workers.executors.transform import TransformExecutor

EXECUTORS: dict[str, type[Executor]] = {
    StartExecutor.spec.kind: StartExecutor,
    HttpRequestExecutor.spec.kind: HttpRequestExecutor,
    DelayExecutor.spec.kind: DelayExecutor,
    MergeExecutor.spec.kind: MergeExecutor,
    BranchExecutor.spec.kind: BranchExecutor,
    SwitchExecutor.spec.kind: SwitchExecutor,
    TransformExecutor.spec.kind: TransformExecutor,
    SlackExecutor.spec.kind: SlackExecutor,
    NotionPageExecutor.spec.kind: NotionPageExecutor,
}

SPECS: dict[str, NodeSpec] = {kind: cls.spec for kind, cls in EXECUTORS.items()}
ALIASES: dict[str, str] = {alias: spec.kind for spec in SPECS.values() for alias in spec.aliases}


def canonical_kind(kind: str) -> str | None:
    """The registered kind for `kind` or one of its aliases; None when unknown."""
    if kind in SPECS:
        return kind
    return ALIASES.get(kind)


def executor_for(kind: str) -> Executor:
    return EXECUTORS[kind]()
