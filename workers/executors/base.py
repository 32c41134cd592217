"""The contract between the engine and a node executor: spec, context, result, failure."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, Literal, Protocol

from pydantic import BaseModel, Field

ERROR_OUTPUT = "error"  # the output a failure takes when a node's on_error is "error_output"
MAIN_OUTPUT = ""  # a node without named outputs, given an error output: its ordinary output


class NodeSettings(BaseModel):
    """Settings every kind that can fail shares (its config model inherits them)."""

    on_error: Literal["stop", "continue", "error_output"] = Field(
        default="stop",
        title="On error",
        description="stop: the run fails (default); continue: the next nodes run, reading "
        "{{steps.<id>.error}}; error_output: only the nodes on the node's `error` output run.",
    )
    note: str | None = Field(default=None, max_length=500, title="Note", description="Shown on the canvas.")


# The longest wait between two attempts a node may ask the engine for.
MAX_RETRY_WAIT_S = 24 * 3600


class RetrySettings(NodeSettings):
    """Retries the engine makes for a kind without its own retry loop: a failed attempt parks the step
    (no worker held) and it runs again after the wait. The I/O kinds retry inside their transfer."""

    retries: int = Field(
        default=0, ge=0, le=10, title="Retries", description="Extra attempts after the node fails, each after a wait."
    )
    retry_backoff_s: float = Field(
        default=1.0,
        ge=0,
        le=3600,
        title="Retry wait (seconds)",
        description="Wait before the first retry; doubles each time. No worker is held while waiting.",
    )


LogFn = Callable[[str, str, Mapping[str, Any]], None]


@dataclass(frozen=True)
class NodeSpec:
    """What the compiler, the palette (/v1/node-types) and the engine know about a node kind."""

    kind: str
    label: str
    description: str
    color: str
    config_model: type[BaseModel]
    aliases: tuple[str, ...] = ()
    # A node that does no I/O completes when the run is created instead of costing a task hop.
    inline: bool = False
    # Named outputs (a branch's "true" and "false"); empty means one unnamed output. An edge leaving
    # a node with named outputs names one in `sourceHandle`; NodeResult.ports says which were taken.
    outputs: tuple[str, ...] = ()
    # Outputs named by the config: the `name` of each entry of this list field, before `outputs`
    # (a switch's cases, then its "default").
    outputs_from: str | None = None
    # The executor reads every input's output (ctx.inputs holds each dependency that succeeded).
    reads_inputs: bool = False
    # (config field, value): with that setting the node runs on its first delivered input, not its last.
    first_input_when: tuple[str, str] | None = None

    def runs_on_first_input(self, config: Mapping[str, Any]) -> bool:
        if self.first_input_when is None:
            return False
        field_name, value = self.first_input_when
        return config.get(field_name) == value

    def output_names(self, config: Mapping[str, Any]) -> tuple[str, ...]:
        """The named outputs of a node of this kind with this (validated) config; with an error
        output, a kind without named outputs has its ordinary one as MAIN_OUTPUT."""
        names = self.outputs
        if self.outputs_from is not None:
            entries = config.get(self.outputs_from) or []
            names = (*[str(e["name"]) for e in entries if isinstance(e, Mapping) and e.get("name")], *names)
        if config.get("on_error") == "error_output":
            names = (*(names or (MAIN_OUTPUT,)), ERROR_OUTPUT)
        return names


@dataclass(frozen=True)
class EngineLimits:
    """Operator settings an executor obeys; passed in so executors never read Django settings."""

    allow_private_networks: bool = False
    http_default_timeout_s: float = 30.0
    http_max_response_bytes: int = 10 * 1024 * 1024
    output_max_bytes: int = 256 * 1024
    # Hosts (exact, or "*.suffix") and IP networks (CIDR or single address) the SSRF guard lets through.
    egress_allow: tuple[str, ...] = ()


@dataclass
class NodeContext:
    """Everything one node execution may see. Built by workers/context.py, frozen per attempt."""

    run_id: str
    node_id: str
    label: str
    config: dict[str, Any]  # templates resolved; may hold secrets in memory, never stored
    payload: Mapping[str, Any] = field(default_factory=dict)
    inputs: Mapping[str, Any] = field(default_factory=dict)  # upstream node id -> its output
    auth_headers: Mapping[str, str] = field(default_factory=dict)  # from auth.credentialName
    secret_headers: frozenset[str] = frozenset()  # header names (lower case) carrying secrets
    idempotency_key: str = ""
    limits: EngineLimits = field(default_factory=EngineLimits)
    log: LogFn = lambda level, message, data: None
    # Masks every form of the run's secrets in a text; an executor applies it to a whole text before
    # cutting an excerpt from it, so a cut can never leave part of a secret behind.
    redact: Callable[[str], str] = lambda text: text
    is_cancelled: Callable[[], bool] = lambda: False
    # Called from another thread when the run is cancelled: an executor registers a hook that
    # breaks its blocking I/O (closes the socket) so a cancel takes effect mid-request.
    abort_hooks: list[Callable[[], None]] = field(default_factory=list)
    # Renders one template string to a value, for the fields the engine leaves unrendered (conditions):
    # a string that is exactly one placeholder keeps the value's type, and gives templates.MISSING when
    # its path is not there; other text is rendered as text. Raises templates.TemplateError otherwise.
    # Reads payload, vars and steps only, never credentials. The default (tests) returns the text as is.
    resolve: Callable[[str], Any] = lambda text: text
    # Set when this attempt resumes a step that waited (a delay): the moment it was due.
    resume_at: datetime | None = None


@dataclass
class NodeResult:
    output: dict[str, Any]
    # The named outputs this result takes (a branch's ("true",)); None takes every output. Successors
    # on an output not taken get no input from this node, and are skipped if no other input reaches them.
    ports: tuple[str, ...] | None = None


class NodeFailure(Exception):
    """The node failed in a way the user should read; `output` is kept when there is one."""

    def __init__(self, message: str, *, output: dict[str, Any] | None = None, retryable: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.output = output
        self.retryable = retryable


class NodeWait(Exception):
    """The node has nothing to do until `resume_at`: the engine parks the step, holding no worker."""

    def __init__(self, resume_at: datetime) -> None:
        super().__init__(f"wait until {resume_at.isoformat()}")
        self.resume_at = resume_at


class Executor(Protocol):
    spec: ClassVar[NodeSpec]

    def run(self, ctx: NodeContext) -> NodeResult: ...
