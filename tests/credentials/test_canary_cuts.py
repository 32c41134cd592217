"""A secret the target echoes in an error body, cut at every length: no piece of it is stored or shown."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest

from backend.credentials.services import credential_create
from backend.runs.documents import run_document
from backend.runs.models import Run, RunEvent, Step
from backend.runs.services import run_start
from tests.support.canary import HARD_CANARY, hidden_forms
from tests.support.graphs import chain, http_node, start_node
from tests.support.inline import InlineDispatcher
from tests.support.stub_server import Reply, StubServer
from workers.executors.http_request import EXCERPT_CHARS
from workers.redaction import Redactor

SECRET = "Tok3n-Canary-&-SeCrEt-9f8e7d6c5b4a"


def _pieces(text: str) -> list[str]:
    """Every piece of the secret of 6 characters or more that `text` holds."""
    return [SECRET[i : i + 6] for i in range(len(SECRET) - 5) if SECRET[i : i + 6] in text]


@pytest.mark.parametrize("cut_inside", range(1, len(SECRET)))
def test_canary_cut_error_excerpt_holds_no_piece_of_the_secret(
    user: Any, engine: InlineDispatcher, stub: StubServer, cut_inside: int
) -> None:
    credential_create(owner=user, name="canaryToken", kind="bearer_token", value=SECRET)
    prefix = "Authorization: Bearer "
    # The excerpt's cut lands `cut_inside` characters into the echoed secret.
    padding = "x" * (EXCERPT_CHARS - len(prefix) - cut_inside)
    stub.route("GET", "/fail", status=500, body=f"{padding}{prefix}{SECRET} and more text after it")
    node = http_node("n", f"{stub.url}/fail", retries=0, auth={"credentialName": "canaryToken"})
    run, _ = run_start(owner=user, graph={"nodes": [start_node(), node], "edges": chain("start", "n")})
    engine.drain()
    step = Step.objects.get(run=run, node_id="n")
    assert step.status == "failed" and "HTTP 500" in step.error
    stored = [step.error, str(step.output), *RunEvent.objects.filter(run=run).values_list("message", flat=True)]
    stored += [str(d) for d in RunEvent.objects.filter(run=run).values_list("data", flat=True)]
    assert [piece for text in stored for piece in _pieces(text)] == []


def test_canary_redact_cut_masks_the_start_of_a_secret_at_the_end_of_a_cut_text() -> None:
    redactor = Redactor([SECRET])
    assert redactor.redact_cut(f"body … {SECRET[:9]}") == "body … ***"
    assert redactor.redact_cut(f"body … {SECRET}") == "body … ***"
    assert redactor.redact_cut("plain text without it") == "plain text without it"
    assert redactor.redact_cut(f"ends with {SECRET[:3]}") == f"ends with {SECRET[:3]}"  # too short to tell


def test_canary_truncated_output_body_ends_without_a_piece_of_the_secret(
    user: Any, engine: InlineDispatcher, stub: StubServer, settings: Any
) -> None:
    settings.AUTOMATEOS = {**settings.AUTOMATEOS, "HTTP_MAX_RESPONSE_BYTES": 64}
    credential_create(owner=user, name="canaryToken", kind="bearer_token", value=SECRET)
    stub.route("GET", "/echo", replies=[Reply(body="y" * 50 + SECRET + "z" * 100)])
    node = http_node("n", f"{stub.url}/echo", retries=0, auth={"credentialName": "canaryToken"})
    run, _ = run_start(owner=user, graph={"nodes": [start_node(), node], "edges": chain("start", "n")})
    engine.drain()
    step = Step.objects.get(run=run, node_id="n")
    assert step.output["truncated"] is True
    assert _pieces(str(step.output)) == []
    assert step.output["body"] == "y" * 50 + "***"  # the piece at the transfer's cut, masked


def test_canary_literal_value_in_a_sensitive_header_is_redacted_from_the_echo(
    user: Any, engine: InlineDispatcher, stub: StubServer
) -> None:
    literal = "Lit3ral-Token-Typed-In-The-Node"
    stub.route("GET", "/echo", replies=[Reply(json={"seen": f"Bearer {literal}", "lower": literal.lower()})])
    node = http_node("n", f"{stub.url}/echo", retries=0, headers={"Authorization": f"Bearer {literal}"})
    run, _ = run_start(owner=user, graph={"nodes": [start_node(), node], "edges": chain("start", "n")})
    engine.drain()
    step = Step.objects.get(run=run, node_id="n")
    assert step.status == "succeeded" and stub.requests_to("/echo")[0].header("Authorization") == f"Bearer {literal}"
    stored = str(step.output) + str(list(RunEvent.objects.filter(run=run).values_list("message", "data")))
    assert literal.lower() not in stored.lower()
    assert step.output["body"] == {"seen": "***", "lower": "***"}


def test_canary_secret_in_the_url_host_is_redacted_from_the_lower_cased_dns_error(
    user: Any, engine: InlineDispatcher
) -> None:
    host_secret = "MixedCaseHostSecret7Q"
    credential_create(owner=user, name="hostToken", kind="secret_text", value=host_secret)
    node = http_node("n", "http://{{getCredential('hostToken')}}.invalid/path", retries=0, timeout_s=2)
    run, _ = run_start(owner=user, graph={"nodes": [start_node(), node], "edges": chain("start", "n")})
    engine.drain()
    step = Step.objects.get(run=run, node_id="n")
    assert step.status == "failed" and "***" in step.error
    stored = [step.error, *RunEvent.objects.filter(run=run).values_list("message", flat=True)]
    stored += [str(d) for d in RunEvent.objects.filter(run=run).values_list("data", flat=True)]
    assert [text for text in stored if host_secret.lower() in text.lower()] == []


def test_canary_secret_in_a_url_path_segment_is_encoded_there_and_redacted_from_the_echo(
    user: Any, engine: InlineDispatcher, stub: StubServer
) -> None:
    credential_create(owner=user, name="pathToken", kind="secret_text", value=HARD_CANARY)
    # No route: the stand-in answers 404 and repeats the path it was sent in its error body.
    node = http_node("n", f"{stub.url}/items/{{{{getCredential('pathToken')}}}}/x", retries=0)
    run, _ = run_start(owner=user, graph={"nodes": [start_node(), node], "edges": chain("start", "n")})
    engine.drain()
    [seen] = stub.requests
    assert seen.path == f"/items/{quote(HARD_CANARY, safe='')}/x"  # one segment: '/' and '&' encoded
    step = Step.objects.get(run=run, node_id="n")
    assert step.status == "failed" and "HTTP 404" in step.error and "***" in step.error
    row = Run.objects.get(pk=run.pk)
    document = json.dumps(
        run_document(row, list(Step.objects.filter(run=row)), list(RunEvent.objects.filter(run=row))), default=str
    )
    stored = [
        step.error,
        str(step.output),
        document,
        *RunEvent.objects.filter(run=run).values_list("message", flat=True),
    ]
    stored += [str(d) for d in RunEvent.objects.filter(run=run).values_list("data", flat=True)]
    leaks = [(form, text[:80]) for text in stored for form in hidden_forms(HARD_CANARY) if form in text]
    assert leaks == []
