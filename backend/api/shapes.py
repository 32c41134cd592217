"""The shapes of request and response bodies, as serializers the OpenAPI schema is built from."""

# Field names are the API's JSON keys, which are camelCase.
# ruff: noqa: N815

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from backend.credentials.models import CredentialKind
from backend.runs.states import CLIENT_TRIGGERS, RunStatus, RunTrigger

Base = serializers.Serializer[Any]
CLIENT_TRIGGER_VALUES = [str(t) for t in CLIENT_TRIGGERS]


def _when(**kwargs: Any) -> serializers.DateTimeField:
    """ISO 8601 UTC with milliseconds and a Z, e.g. 2026-12-05T20:41:07.123Z."""
    return serializers.DateTimeField(**kwargs)


class ObjectField(serializers.DictField):
    """Any JSON object."""


# --- Workflows ---------------------------------------------------------------------------------


class WorkflowSummarySerializer(Base):
    id = serializers.UUIDField()
    name = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    nodeCount = serializers.IntegerField()
    version = serializers.IntegerField(help_text="the number of the workflow's current version")
    createdAt = _when()
    updatedAt = _when()


class WorkflowSerializer(Base):
    id = serializers.UUIDField()
    name = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    vars = ObjectField(help_text="workflow variables, read as {{vars.x}}")
    graph = ObjectField(help_text="the builder file: {nodes, edges, meta, vars}")
    version = serializers.IntegerField(help_text="the number of the workflow's current version")
    failureWorkflowId = serializers.UUIDField(
        allow_null=True, help_text="the workflow run when a run of this one fails"
    )
    createdAt = _when()
    updatedAt = _when()


class WorkflowWriteSerializer(Base):
    """`{name, graph, description?, vars?}`; a builder file or a legacy `{name, definition}` file is accepted too."""

    name = serializers.CharField(max_length=200)
    graph = ObjectField(help_text="builder file form or the flattened {nodes: [{id, type, config}], edges} form")
    description = serializers.CharField(required=False, allow_blank=True)
    vars = ObjectField(required=False)
    failureWorkflowId = serializers.UUIDField(
        required=False, allow_null=True, help_text="another workflow of yours to run when a run of this one fails"
    )


class WorkflowPatchSerializer(WorkflowWriteSerializer):
    name = serializers.CharField(max_length=200, required=False)
    graph = ObjectField(required=False)


# --- Runs --------------------------------------------------------------------------------------


class RunStartSerializer(Base):
    """Exactly one of `graph` and `workflowId`."""

    graph = ObjectField(required=False)
    workflowId = serializers.UUIDField(required=False)
    payload = ObjectField(required=False, help_text="read by templates as {{payload.x}}")
    trigger = serializers.ChoiceField(choices=CLIENT_TRIGGER_VALUES, required=False)


class RunStartedSerializer(Base):
    runId = serializers.UUIDField()
    id = serializers.UUIDField()
    status = serializers.ChoiceField(choices=RunStatus.choices)


class RunCancelledSerializer(RunStartedSerializer):
    changed = serializers.BooleanField(help_text="false when the run had already finished")


class RunSummarySerializer(Base):
    id = serializers.UUIDField()
    runId = serializers.UUIDField()
    status = serializers.ChoiceField(choices=RunStatus.choices)
    workflowId = serializers.UUIDField(allow_null=True)
    workflowName = serializers.CharField(allow_null=True)
    trigger = serializers.ChoiceField(choices=RunTrigger.choices)
    workflowVersion = serializers.IntegerField(allow_null=True)
    requestId = serializers.CharField(allow_null=True)
    error = serializers.CharField(allow_null=True)
    createdAt = _when()
    updatedAt = _when()
    startedAt = _when(allow_null=True)
    finishedAt = _when(allow_null=True)
    durationMs = serializers.IntegerField(allow_null=True)


class StepSerializer(Base):
    id = serializers.IntegerField()
    nodeId = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    status = serializers.CharField()
    attempt = serializers.IntegerField()
    durationMs = serializers.IntegerField(allow_null=True)
    startedAt = _when(allow_null=True)
    finishedAt = _when(allow_null=True)
    error = serializers.CharField(allow_null=True)
    output = serializers.JSONField(required=False, allow_null=True)


class EventSerializer(Base):
    seq = serializers.IntegerField()
    ts = _when()
    level = serializers.CharField()
    type = serializers.CharField()
    msg = serializers.CharField(allow_blank=True)
    nodeId = serializers.CharField(required=False)
    data = serializers.JSONField(required=False)  # type: ignore[assignment]  # the JSON key, not Serializer.data


class RunSerializer(RunSummarySerializer):
    payload = ObjectField()
    graph = ObjectField()
    steps = StepSerializer(many=True)
    logs = EventSerializer(many=True)
    lastSeq = serializers.IntegerField()


class RunEventsSerializer(Base):
    runId = serializers.UUIDField()
    status = serializers.ChoiceField(choices=RunStatus.choices)
    events = EventSerializer(many=True)
    lastSeq = serializers.IntegerField()


# --- Credentials, tokens, vault, node kinds ----------------------------------------------------


class CredentialSerializer(Base):
    id = serializers.UUIDField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=CredentialKind.choices)
    options = ObjectField()
    maskedValue = serializers.CharField(help_text="a masked preview; the value is never returned")
    protected = serializers.BooleanField(help_text="sealed by the owner's vault passphrase")
    createdAt = _when()
    updatedAt = _when()
    lastUsedAt = _when(allow_null=True)


class CredentialCreateSerializer(Base):
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=CredentialKind.choices)
    value = serializers.CharField(write_only=True)
    options = ObjectField(required=False, help_text="e.g. {headerName} for an api_key_header credential")


class CredentialPatchSerializer(Base):
    name = serializers.CharField(required=False)
    value = serializers.CharField(required=False, write_only=True)
    options = ObjectField(required=False)


class TokenSerializer(Base):
    id = serializers.IntegerField()
    name = serializers.CharField()
    prefix = serializers.CharField(help_text="aos_ and the token's first characters: enough to recognise it")
    createdAt = _when()
    lastUsedAt = _when(allow_null=True)
    revoked = serializers.BooleanField()


class TokenCreatedSerializer(TokenSerializer):
    token = serializers.CharField(help_text="the secret: shown in this answer only, never again")


class TokenCreateSerializer(Base):
    name = serializers.CharField(required=False, default="api")


class VaultStatusSerializer(Base):
    passphraseSet = serializers.BooleanField()
    unlocked = serializers.BooleanField(help_text="this session or token holds an unlock")
    unlockedUntil = _when(allow_null=True)
    protectedCredentials = serializers.IntegerField()


class VaultPassphraseSerializer(Base):
    passphrase = serializers.CharField()
    currentPassphrase = serializers.CharField(required=False, help_text="required to change a passphrase")


class VaultCurrentSerializer(Base):
    currentPassphrase = serializers.CharField()


class VaultUnlockSerializer(Base):
    passphrase = serializers.CharField()


class VaultResetSerializer(Base):
    confirm = serializers.CharField(help_text="exactly 'delete my protected credentials'")


class VaultResetDoneSerializer(Base):
    deletedCredentials = serializers.ListField(child=serializers.CharField(), help_text="their names")


class NodeTypeSerializer(Base):
    kind = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # the JSON key, not Field.label
    description = serializers.CharField(allow_blank=True)
    color = serializers.CharField()
    aliases = serializers.ListField(child=serializers.CharField())
    schema = ObjectField(help_text="JSON Schema of the node's config")
    outputs = serializers.ListField(child=serializers.CharField())
    outputsFrom = serializers.CharField(allow_null=True)


# --- Conditions --------------------------------------------------------------------------------


class ConditionConvertSerializer(Base):
    condition = serializers.JSONField(help_text="text, or canonical JSON (a rule or a group of rules)")
    to = serializers.ChoiceField(choices=["text", "rules"])


class ConditionSerializer(Base):
    condition = serializers.JSONField(help_text="the condition in the form asked for")


# --- Workflow versions and runs of a saved workflow ---------------------------------------------


class VersionSummarySerializer(Base):
    number = serializers.IntegerField()
    createdAt = _when()
    createdBy = serializers.CharField(allow_null=True, help_text="the user name of who saved it")
    summary = serializers.CharField(help_text="what changed from the version before")


class VersionSerializer(VersionSummarySerializer):
    graph = ObjectField(help_text="the stored graph {nodes, edges}")
    vars = ObjectField()


class WorkflowRunStartSerializer(Base):
    payload = ObjectField(required=False, help_text="read by templates as {{payload.x}}")


class WorkflowRunStartedSerializer(RunStartedSerializer):
    workflowVersion = serializers.IntegerField(help_text="the workflow version the run runs")


# --- Triggers: a workflow's webhook and schedule -------------------------------------------------

_SIGNATURES = ["none", "github", "stripe", "generic"]
_RESPONDS = ["immediately", "result"]
SCHEDULE_KINDS = ["cron", "interval"]


class WebhookSerializer(Base):
    workflowId = serializers.UUIDField()
    enabled = serializers.BooleanField()
    url = serializers.URLField(allow_null=True, help_text="the full /hooks/<token> URL (null if its key is gone)")
    path = serializers.CharField(allow_null=True)
    signature = serializers.ChoiceField(choices=_SIGNATURES)
    signatureHeader = serializers.CharField()
    secretSet = serializers.BooleanField()
    secretPreview = serializers.CharField(help_text="masked; the secret itself is never returned")
    newSecret = serializers.CharField(required=False, help_text="a secret the server made up, shown this once")
    stripeToleranceS = serializers.IntegerField()
    dedupHeader = serializers.CharField()
    maxBodyBytes = serializers.IntegerField()
    respond = serializers.ChoiceField(choices=_RESPONDS)
    respondNode = serializers.CharField()
    respondTimeoutS = serializers.IntegerField()
    failureStatus = serializers.IntegerField()


class WebhookPutSerializer(Base):
    enabled = serializers.BooleanField(required=False)
    signature = serializers.ChoiceField(choices=_SIGNATURES, required=False)
    signatureHeader = serializers.CharField(required=False)
    secret = serializers.CharField(required=False, help_text="omit with a signature preset to have one made up")
    stripeToleranceS = serializers.IntegerField(required=False)
    dedupHeader = serializers.CharField(required=False, help_text="a header whose repeated value is deduplicated")
    maxBodyBytes = serializers.IntegerField(required=False)
    respond = serializers.ChoiceField(choices=_RESPONDS, required=False)
    respondNode = serializers.CharField(required=False, help_text="the step whose output answers the call")
    respondTimeoutS = serializers.IntegerField(required=False)
    failureStatus = serializers.IntegerField(required=False)


class ScheduleSerializer(Base):
    workflowId = serializers.UUIDField()
    enabled = serializers.BooleanField()
    kind = serializers.ChoiceField(choices=SCHEDULE_KINDS)
    cron = serializers.CharField(allow_null=True)
    timezone = serializers.CharField()
    interval = ObjectField(allow_null=True, help_text='{"every": 15, "unit": "minutes"}')
    nextRuns = serializers.ListField(child=_when(), help_text="the next three run times, UTC")
    lastTick = _when(allow_null=True)
    lastRunId = serializers.UUIDField(allow_null=True)
    lastError = serializers.CharField(allow_blank=True)


class SchedulePutSerializer(Base):
    cron = serializers.CharField(required=False, help_text="5 fields, e.g. 0 9 * * 1-5")
    timezone = serializers.CharField(required=False, help_text="an IANA zone, e.g. Europe/Paris")
    interval = ObjectField(required=False, help_text='{"every": 15, "unit": "minutes" | "hours"}')
    enabled = serializers.BooleanField(required=False, help_text="false pauses the schedule")
