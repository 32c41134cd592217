"""REST API routes under /v1: one APIView per URL."""

from __future__ import annotations

from django.urls import path

from backend.api.views import credentials, node_types, runs, tokens, vault, workflows

urlpatterns = [
    path("workflows", workflows.WorkflowListApi.as_view(), name="workflow-list"),
    path("workflows/<uuid:workflow_id>", workflows.WorkflowDetailApi.as_view(), name="workflow-detail"),
    path("workflows/<uuid:workflow_id>/export", workflows.WorkflowExportApi.as_view(), name="workflow-export"),
    path("node-types", node_types.NodeTypeListApi.as_view(), name="node-type-list"),
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
]

# Workflow versions and runs of a saved workflow (views in their own modules).
from backend.api.views import workflow_runs, workflow_versions  # noqa: E402

urlpatterns += [
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
]
