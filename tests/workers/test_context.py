"""prepare_node: templates and credentials resolved from the run owner's vault or the env map, redaction forms."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, quote_plus

import pytest

from backend.credentials.models import Credential
from backend.credentials.services import credential_create
from workers.context import PreparationError, PreparedNode, parse_env_credentials, prepare_node
from workers.executors.base import EngineLimits
from workers.templates import TemplateError

TOKEN = "secret_n0tion+token/with=chars&more"
NOTION_NODE = {
    "id": "notion",
    "kind": "http_request_node",
    "label": "Create Notion Page",
    "config": {
        "method": "POST",
        "url": "https://api.notion.com/v1/pages",
        "headers": {"Notion-Version": "2022-06-28", "Content-Type": "application/json"},
        "auth": {"credentialName": "notionToken"},
        "json_body": {
            "parent": {"database_id": "{{vars.notionDatabaseId}}"},
            "properties": {
                "Name": {"title": [{"text": {"content": "{{payload.title}}"}}]},
                "Status": {"select": {"name": "{{payload.status}}"}},
            },
        },
    },
}


def _prepare(owner: Any, node: Mapping[str, Any] = NOTION_NODE, **kwargs: Any) -> PreparedNode:
    args: dict[str, Any] = {
        "run_id": "run-1",
        "owner_id": owner.pk,
        "node": node,
        "payload": {"title": "Launch", "status": "Done"},
        "variables": {"notionDatabaseId": "db-123"},
        "upstream": {},
        "limits": EngineLimits(),
        "idempotency_key": "k",
        "log": lambda level, message, data: None,
        "env_credentials": {},
        "environ": {},
    }
    args.update(kwargs)
    return prepare_node(**args)


def _node(config: dict[str, Any], label: str = "Call") -> dict[str, Any]:
    return {"id": "n1", "kind": "http_request_node", "label": label, "config": config}


def test_prepare_node_resolves_notion_template_with_owner_token(user: Any) -> None:
    credential_create(owner=user, name="notionToken", kind="bearer_token", value=TOKEN)
    ctx = _prepare(user).context
    assert ctx.auth_headers == {"Authorization": f"Bearer {TOKEN}"}
    assert "authorization" in ctx.secret_headers
    body = ctx.config["json_body"]
    assert body["parent"]["database_id"] == "db-123"
    assert body["properties"]["Name"]["title"][0]["text"]["content"] == "Launch"
    assert body["properties"]["Status"]["select"]["name"] == "Done"
    assert ctx.config["auth"] == {"credentialName": "notionToken"}
    assert NOTION_NODE["config"]["json_body"]["parent"]["database_id"] == "{{vars.notionDatabaseId}}"  # type: ignore[index]


def test_prepare_node_does_not_prefix_bearer_twice(user: Any) -> None:
    credential_create(owner=user, name="notionToken", kind="bearer_token", value="Bearer abc123456789")
    assert _prepare(user).context.auth_headers == {"Authorization": "Bearer abc123456789"}


def test_prepare_node_uses_only_the_run_owners_vault(user: Any, other_user: Any) -> None:
    credential_create(owner=other_user, name="notionToken", kind="bearer_token", value=TOKEN)
    with pytest.raises(PreparationError) as info:
        _prepare(user)
    assert str(info.value) == (
        "credential 'notionToken' not found (node \"Create Notion Page\", field auth.credentialName)"
    )


def test_prepare_node_missing_credential_message(user: Any) -> None:
    node = _node(
        {"url": "https://x.test", "auth": {"credentialName": "notion-integration-token"}}, "Create Notion Page"
    )
    with pytest.raises(PreparationError, match=r"^credential 'notion-integration-token' not found") as info:
        _prepare(user, node)
    assert str(info.value).endswith('(node "Create Notion Page", field auth.credentialName)')


def test_prepare_node_missing_template_value_message(user: Any) -> None:
    credential_create(owner=user, name="notionToken", kind="bearer_token", value=TOKEN)
    with pytest.raises(PreparationError) as info:
        _prepare(user, payload={"status": "Done"})
    assert str(info.value) == (
        "missing value for {{payload.title}} "
        '(node "Create Notion Page", field json_body.properties.Name.title[0].text.content)'
    )


def test_prepare_node_env_map_fallback(user: Any) -> None:
    environ = {"NOTION_TOKEN": TOKEN, "AUTOMATEOS_SECRET_KEY": "server-secret"}
    ctx = _prepare(user, env_credentials={"notionToken": "NOTION_TOKEN"}, environ=environ).context
    assert ctx.auth_headers == {"Authorization": f"Bearer {TOKEN}"}
    # Only names in the explicit map: an env var name is not a credential name.
    node = _node({"url": "{{getCredential('AUTOMATEOS_SECRET_KEY')}}"})
    with pytest.raises(PreparationError, match="credential 'AUTOMATEOS_SECRET_KEY' not found"):
        _prepare(user, node, env_credentials={"notionToken": "NOTION_TOKEN"}, environ=environ)


def test_prepare_node_env_map_from_process_environment(user: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUTOMATEOS_ENV_CREDENTIALS", "slackWebhook:SLACK_WEBHOOK")
    monkeypatch.setenv("SLACK_WEBHOOK", "https://hooks.slack.test/services/T/B/xyz")
    node = _node({"url": "{{getCredential('slackWebhook')}}", "body": '{"text": "hi"}'})
    ctx = _prepare(user, node, env_credentials=None, environ=None).context
    assert ctx.config["url"] == "https://hooks.slack.test/services/T/B/xyz"


def test_prepare_node_vault_wins_over_env(user: Any) -> None:
    credential_create(owner=user, name="notionToken", kind="bearer_token", value="from-vault-0123456")
    ctx = _prepare(user, env_credentials={"notionToken": "NOTION_TOKEN"}, environ={"NOTION_TOKEN": "from-env"}).context
    assert ctx.auth_headers["Authorization"] == "Bearer from-vault-0123456"


def test_prepare_node_header_kinds(user: Any) -> None:
    credential_create(
        owner=user, name="key", kind="api_key_header", value="k" * 20, options={"headerName": "X-Api-Key"}
    )
    credential_create(owner=user, name="basic", kind="basic_auth", value="alice:pa55word!")
    credential_create(owner=user, name="hook", kind="secret_text", value="https://hooks.test/abc")
    assert _prepare(user, _node({"url": "https://x.test", "auth": {"credentialName": "key"}})).context.auth_headers == {
        "X-Api-Key": "k" * 20
    }
    basic = _prepare(user, _node({"url": "https://x.test", "auth": {"credentialName": "basic"}})).context
    assert basic.auth_headers == {"Authorization": "Basic " + base64.b64encode(b"alice:pa55word!").decode()}
    with pytest.raises(PreparationError, match=r"is secret_text; use \{\{getCredential\('hook'\)\}\}"):
        _prepare(user, _node({"url": "https://x.test", "auth": {"credentialName": "hook"}}))


def test_prepare_node_get_credential_in_url_and_headers(user: Any) -> None:
    credential_create(owner=user, name="hook", kind="secret_text", value="https://hooks.test/T0/B0/s3cret")
    credential_create(owner=user, name="tok", kind="bearer_token", value=TOKEN)
    node = _node(
        {
            "url": "{{getCredential('hook')}}",
            "headers": {"X-Token": '{{getCredential("tok")}}', "X-Plain": "{{payload.title}}"},
            "body": '{"text": "{{payload.title}}"}',
        }
    )
    prepared = _prepare(user, node)
    ctx = prepared.context
    assert ctx.config["url"] == "https://hooks.test/T0/B0/s3cret"
    assert ctx.config["headers"] == {"X-Token": TOKEN, "X-Plain": "Launch"}
    assert ctx.secret_headers == frozenset({"x-token"})
    assert prepared.redactor.redact_text(f"posted to {ctx.config['url']}") == "posted to ***"


def test_prepare_node_get_credential_missing_names_field(user: Any) -> None:
    node = _node({"url": "https://x.test", "headers": {"X-Key": "{{getCredential('gone')}}"}}, "Ping")
    with pytest.raises(PreparationError) as info:
        _prepare(user, node)
    assert str(info.value) == "credential 'gone' not found (node \"Ping\", field headers.X-Key)"


def test_prepare_node_unreadable_credential(user: Any) -> None:
    credential = credential_create(owner=user, name="notionToken", kind="bearer_token", value=TOKEN)
    Credential.objects.filter(pk=credential.pk).update(kind="secret_text")  # associated data no longer matches
    with pytest.raises(PreparationError, match="credential 'notionToken' cannot be decrypted") as info:
        _prepare(user)
    assert TOKEN not in str(info.value)


def test_prepare_node_redacts_encoded_forms(user: Any) -> None:
    credential_create(owner=user, name="notionToken", kind="bearer_token", value=TOKEN)
    credential_create(owner=user, name="basic", kind="basic_auth", value="alice:pa55word!")
    node = {**NOTION_NODE, "config": {**NOTION_NODE["config"], "headers": {"X-B": "{{getCredential('basic')}}"}}}  # type: ignore[dict-item]
    redactor = _prepare(user, node).redactor
    pair_b64 = base64.b64encode(b"alice:pa55word!").decode()
    leaks = [
        TOKEN,
        quote(TOKEN, safe=""),
        quote_plus(TOKEN),
        base64.b64encode(TOKEN.encode()).decode(),
        base64.urlsafe_b64encode(TOKEN.encode()).decode(),
        pair_b64,
        "pa55word!",
        base64.b64encode(b"xx" + TOKEN.encode() + b"yy").decode(),  # embedded in a bigger blob
    ]
    for leak in leaks:
        text = redactor.redact_text(f"echo: {leak} end")
        assert "n0tion" not in text and "pa55word" not in text and leak not in text, leak
    output = redactor.redact({"headers": {"authorization": f"Bearer {TOKEN}"}, "body": [f"Basic {pair_b64}"]})
    assert output == {"headers": {"authorization": "Bearer ***"}, "body": ["Basic ***"]}


def test_prepare_node_touches_last_used(user: Any) -> None:
    credential = credential_create(owner=user, name="notionToken", kind="bearer_token", value=TOKEN)
    _prepare(user)
    assert Credential.objects.get(pk=credential.pk).last_used_at is not None


def test_prepare_node_steps_scope_from_upstream(user: Any) -> None:
    node = _node(
        {
            "url": "https://x.test/{{steps.fetch.output.body.items.0.id}}",
            "json_body": {"all": "{{steps.fetch.output.body}}"},
        }
    )
    upstream = {"fetch": {"status": 200, "body": {"items": [{"id": "abc"}]}}}
    ctx = _prepare(user, node, upstream=upstream).context
    assert ctx.config["url"] == "https://x.test/abc"
    assert ctx.config["json_body"] == {"all": {"items": [{"id": "abc"}]}}
    assert ctx.inputs == upstream


def test_parse_env_credentials() -> None:
    assert parse_env_credentials(" notionToken:NOTION_TOKEN , slackWebhook:SLACK_WEBHOOK,bad,:X,y:") == {
        "notionToken": "NOTION_TOKEN",
        "slackWebhook": "SLACK_WEBHOOK",
    }


def test_prepare_node_header_value_with_line_break_fails_naming_node_and_field(user: Any) -> None:
    node = _node({"url": "https://x.test", "headers": {"X-Title": "{{payload.title}}"}}, "Ping")
    with pytest.raises(PreparationError) as info:
        _prepare(user, node, payload={"title": "hi\r\nX-Admin: yes"})
    assert str(info.value) == (
        "the value of {{payload.title}} contains a line break (CR/LF), not allowed in a header "
        '(node "Ping", field headers.X-Title)'
    )


def test_prepare_node_secret_with_line_break_is_refused_without_showing_it(user: Any) -> None:
    credential_create(owner=user, name="multi", kind="secret_text", value="abc\ndef-secret")
    node = _node({"url": "https://x.test", "headers": {"X-Key": "{{getCredential('multi')}}"}}, "Ping")
    with pytest.raises(PreparationError) as info:
        _prepare(user, node)
    assert "field headers.X-Key" in str(info.value) and "def-secret" not in str(info.value)


def test_prepare_node_url_values_are_encoded_for_their_part(user: Any) -> None:
    node = _node({"url": "https://x.test/items/{{payload.id}}?q={{payload.q}}"})
    config = _prepare(user, node, payload={"id": "../admin", "q": "a&q=1"}).context.config
    assert config["url"] == "https://x.test/items/..%2Fadmin?q=a%26q%3D1"


def test_prepare_node_gives_a_resolver_for_condition_operands(user: Any) -> None:
    node = {"id": "b", "kind": "branch", "label": "If", "config": {"condition": '{{payload.title}} == "x"'}}
    ctx = _prepare(user, node, upstream={"a": {"n": 2}}).context
    assert ctx.config == node["config"]  # conditions are not rendered before the executor runs
    assert ctx.resolve("{{payload.title}}") == "Launch"
    assert ctx.resolve("{{steps.a.output.n}}") == 2
    assert ctx.resolve("{{vars.notionDatabaseId}}-{{steps.a.output.n}}") == "db-123-2"
    assert repr(ctx.resolve("{{payload.absent}}")) == "MISSING"
    with pytest.raises(TemplateError, match="credentials are not available"):
        ctx.resolve("{{getCredential('notionToken')}}")


@pytest.mark.django_db
def test_prepare_node_renders_trigger_values(user: Any) -> None:
    node = _node({"method": "GET", "url": "https://example.test/{{trigger.query.ref}}"})
    prepared = _prepare(user, node, trigger={"query": {"ref": "main"}})
    assert prepared.context.config["url"] == "https://example.test/main"
