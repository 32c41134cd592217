"""REST API routes under /v1: one APIView per URL."""

from __future__ import annotations

from django.urls import path

from backend.api.views import (
    conditions,
    credentials,
    docs,
    node_types,
    runs,
    tokens,
    triggers,
    vault,
    workflow_runs,
    workflow_versions,
    workflows,
)

urlpatterns = [
    path("workflows", workflows.WorkflowListApi.as_view(), name="workflow-list"),
    path("workflows/<uuid:workflow_id>", workflows.WorkflowDetailApi.as_view(), name="workflow-detail"),
    path("workflows/<uuid:workflow_id>/export", workflows.WorkflowExportApi.as_view(), name="workflow-export"),
    path("node-types", node_types.NodeTypeListApi.as_view(), name="node-type-list"),
    path("conditions/convert", conditions.ConditionConvertApi.as_view(), name="condition-convert"),
    path("runs", runs.RunListApi.as_view(), name="run-list"),
    path("runs/<uuid:run_id>", runs.RunDetailApi.as_view(), name="run-detail"),
    path("runs/<uuid:run_id>/events", runs.RunEventListApi.as_view(), name="run-events"),
    path("runs/<uuid:run_id>/cancel", runs.RunCancelApi.as_view(), name="run-cancel"),
    path("credentials", credentials.CredentialListApi.as_view(), name="credential-list"),
    path("credentials/<uuid:credential_id>", credentials.CredentialDetailApi.as_view(), name="credential-detail"),
    path("vault", vault.VaultApi.as_view(), name="vault"),
    path("vault/passphrase", vault.VaultPassphraseApi.as_view(), name="vault-passphrase"),
    path("vault/unlock", vault.VaultUnlockApi.as_view(), name="vault-unlock"),
    path("vault/lock", vault.VaultLockApi.as_view(), name="vault-lock"),
    path("vault/reset", vault.VaultResetApi.as_view(), name="vault-reset"),
    path("tokens", tokens.TokenListApi.as_view(), name="token-list"),
    path("tokens/<int:token_id>", tokens.TokenDetailApi.as_view(), name="token-detail"),
    path(
        "workflows/<uuid:workflow_id>/versions",
        workflow_versions.WorkflowVersionListApi.as_view(),
        name="workflow-version-list",
    ),
    path(
        "workflows/<uuid:workflow_id>/versions/<int:number>",
        workflow_versions.WorkflowVersionDetailApi.as_view(),
        name="workflow-version-detail",
    ),
    path(
        "workflows/<uuid:workflow_id>/versions/<int:number>/restore",
        workflow_versions.WorkflowVersionRestoreApi.as_view(),
        name="workflow-version-restore",
    ),
    path("workflows/<uuid:workflow_id>/runs", workflow_runs.WorkflowRunApi.as_view(), name="workflow-run-list"),
    path("workflows/<uuid:workflow_id>/webhook", triggers.WebhookApi.as_view(), name="workflow-webhook"),
    path(
        "workflows/<uuid:workflow_id>/webhook/regenerate",
        triggers.WebhookRegenerateApi.as_view(),
        name="workflow-webhook-regenerate",
    ),
    path("workflows/<uuid:workflow_id>/schedule", triggers.ScheduleApi.as_view(), name="workflow-schedule"),
    path("schema/", docs.SchemaApi.as_view(), name="schema"),
    path("docs/", docs.SwaggerDocs.as_view(url_name="schema"), name="docs"),
]
