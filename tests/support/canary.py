"""Canaries for the secret-leak tests: the values, every form they may take, a stand-in that echoes them."""

from __future__ import annotations

import base64
import html
import json
import uuid
from typing import Any
from urllib.parse import quote, quote_plus

from tests.support.stub_server import Reply, SeenRequest

CANARY = f"canary-{uuid.uuid4().hex}"
# Letters of both cases and the characters every encoding treats differently.
HARD_CANARY = f"Ca&N<a/R+y= %Tok {uuid.uuid4().hex[:12]}"


def hidden_forms(canary: str) -> list[str]:
    """The canary and every form a careless target or error message may give it."""
    forms = [canary, canary.lower(), canary.upper(), quote(canary, safe=""), quote(canary, safe="").lower()]
    forms += [quote_plus(canary), html.escape(canary), json.dumps(canary)[1:-1]]
    forms += [base64.b64encode(canary.encode()).decode(), base64.b64encode(f"user:{canary}".encode()).decode()]
    return [*forms, canary.partition("-")[2]] if canary == CANARY else forms


def echo_forms(seen: SeenRequest) -> Reply:
    # A hostile or careless API: it echoes the credential in plain, URL-encoded and base64 forms.
    token = (seen.header("authorization") or "").removeprefix("Bearer ")
    return Reply(
        json={
            "headers": seen.headers,
            "query": seen.query,
            "body": seen.body.decode(),
            "quoted": quote(token, safe=""),
            "quoted_lower": quote(token, safe="").lower(),
            "plus": quote_plus(token),
            "lower": token.lower(),
            "upper": token.upper(),
            "html": html.escape(token),
            "json_text": json.dumps(token),
            "b64": base64.b64encode(token.encode()).decode(),
            "basic": seen.header("x-basic"),
        },
        headers={"X-Echo-Token": token},
    )


def canary_workflow(base_url: str) -> dict[str, Any]:
    """A builder file whose HTTP node puts both canary credentials in a header, the query and the body."""
    config = {
        "method": "POST",
        "url": f"{base_url}/echo?token={{{{getCredential('canaryToken')}}}}",
        "headers": {
            "X-Token": "{{getCredential('canaryToken')}}",
            "X-Basic": "Basic {{getCredential('canaryBasic')}}",
        },
        "auth": {"credentialName": "canaryToken"},
        "body": '{"token": "{{getCredential(\'canaryToken\')}}", "title": "{{payload.title}}"}',
    }
    return {
        "nodes": [
            {"id": "start", "type": "start", "position": {"x": 0, "y": 0}, "data": {"label": "Start", "config": {}}},
            {"id": "echo", "type": "http", "position": {"x": 200, "y": 0}, "data": {"label": "Echo", "config": config}},
        ],
        "edges": [{"id": "e1", "source": "start", "target": "echo"}],
        "meta": {"name": "Canary", "version": 1},
    }
