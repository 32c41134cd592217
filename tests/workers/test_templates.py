"""Template language: lookups, JSON types, text conversion, errors with paths, no escape to Python."""

from __future__ import annotations

import json
from typing import Any

import pytest

from workers.templates import (
    MISSING,
    CredentialLookupError,
    Scope,
    TemplateError,
    credential_names,
    render,
    render_config,
    render_operand,
    render_string,
    syntax_errors,
)


def _get_credential(name: str) -> str:
    if name == "tok":
        return "s3cr3t"
    raise CredentialLookupError(f"credential '{name}' not found")


SCOPE = Scope(
    payload={"title": "Hello", "n": 3, "ok": True, "none": None, "obj": {"a": [1, {"b": "x"}]}, "quote": 'say "hi"'},
    vars={"notionDatabaseId": "db-1", "count": 2, "nested": {"k": "v"}},
    steps={"fetch-1": {"status": 200, "body": {"items": [{"id": "i0"}, {"id": "i1"}], "name": "N"}}},
    trigger={"headers": {"x-github-event": "push"}, "query": {"ref": "main"}},
    get_credential=_get_credential,
)


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{{payload.title}}", "Hello"),
        ("{{trigger.headers.x-github-event}}", "push"),
        ("{{trigger.query.ref}}", "main"),
        ("{{ payload.title }}", "Hello"),
        ("{{payload.n}}", 3),
        ("{{payload.ok}}", True),
        ("{{payload.none}}", None),
        ("{{payload.obj}}", {"a": [1, {"b": "x"}]}),
        ("{{payload.obj.a.1.b}}", "x"),
        ("{{vars.notionDatabaseId}}", "db-1"),
        ("{{notionDatabaseId}}", "db-1"),
        ("{{vars.nested.k}}", "v"),
        ("{{count}}", 2),
        ("{{steps.fetch-1.output.body.name}}", "N"),
        ("{{steps.fetch-1.output.body.items.1.id}}", "i1"),
        ("{{steps.fetch-1.output.status}}", 200),
        ("{{getCredential('tok')}}", "s3cr3t"),
        ('{{getCredential("tok")}}', "s3cr3t"),
        ("{{ getCredential( 'tok' ) }}", "s3cr3t"),
        ("Title: {{payload.title}}!", "Title: Hello!"),
        ("n={{payload.n}} ok={{payload.ok}} none={{payload.none}}", "n=3 ok=true none=null"),
        ("obj={{payload.obj}}", 'obj={"a":[1,{"b":"x"}]}'),
        ("Bearer {{getCredential('tok')}}", "Bearer s3cr3t"),
        ("{{payload.title}}{{payload.n}}", "Hello3"),
        ("no placeholders", "no placeholders"),
        ("unterminated {{payload.title", "unterminated {{payload.title"),
        ("", ""),
    ],
)
def test_render_string_table(template: str, expected: Any) -> None:
    assert render_string(template, SCOPE) == expected


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("{{payload.missing}}", "missing value for {{payload.missing}}"),
        ("{{payload.title.length}}", "missing value for {{payload.title.length}}"),
        ("{{payload.obj.a.5}}", "missing value for {{payload.obj.a.5}}"),
        ("{{payload.obj.a.-1}}", "missing value for {{payload.obj.a.-1}}"),
        ("{{undefinedVar}}", "missing value for {{undefinedVar}}"),
        ("{{steps.other.output}}", "'other' is not an upstream step"),
        ("x {{getCredential('nope')}}", "credential 'nope' not found"),
        ("{{}}", "invalid template expression"),
        ("{{payload['title']}}", "invalid template expression"),
        ("{{payload.title.upper()}}", "invalid template expression"),
        ("{{1 + 1}}", "invalid template expression"),
        ("{{getCredential(name)}}", "invalid template expression"),
        ("{{getCredential('a' + 'b')}}", "invalid template expression"),
        ("{{ __import__('os').environ }}", "invalid template expression"),
        ("{{payload|safe}}", "invalid template expression"),
        ("{{paylaod.title}}", "unknown root 'paylaod' in {{paylaod.title}}: write {{vars.paylaod.title}}"),
    ],
)
def test_render_string_errors_name_the_path(template: str, message: str) -> None:
    with pytest.raises(TemplateError, match=message.replace("{", r"\{").replace("(", r"\(").replace(")", r"\)")):
        render_string(template, SCOPE)


@pytest.mark.parametrize(
    "template",
    [
        "{{payload.__class__}}",
        "{{payload.__class__.__mro__}}",
        "{{vars.__dict__}}",
        "{{payload.title.__len__}}",
        "{{steps.fetch-1.__init__}}",
        "{{os.environ}}",
        "{{settings.SECRET_KEY}}",
        "{{__builtins__}}",
        "{{payload.items}}",
        "{{payload.keys}}",
        "{{payload.obj.a.__getitem__}}",
    ],
)
def test_render_string_never_reaches_python_objects(template: str) -> None:
    with pytest.raises(TemplateError, match=r"missing value|unknown root"):
        render_string(template, SCOPE)


def test_render_config_tracks_field_paths() -> None:
    config = {
        "json_body": {"properties": {"Name": {"title": [{"text": {"content": "{{payload.nope}}"}}]}}},
    }
    with pytest.raises(TemplateError) as info:
        render_config(config, SCOPE)
    assert info.value.message == "missing value for {{payload.nope}}"
    assert info.value.field == "json_body.properties.Name.title[0].text.content"


def test_render_config_resolves_every_field_and_skips_auth() -> None:
    config = {
        "method": "POST",
        "url": "https://api.example.test/{{vars.notionDatabaseId}}/items?n={{payload.n}}",
        "headers": {"Authorization": "Bearer {{getCredential('tok')}}", "X-Count": "{{count}}"},
        "json_body": {
            "parent": {"database_id": "{{vars.notionDatabaseId}}"},
            "n": "{{payload.n}}",
            "l": ["{{payload.ok}}"],
        },
        "auth": {"credentialName": "{{payload.title}}"},
        "timeout": 5,
    }
    resolved = render_config(config, SCOPE)
    assert resolved["url"] == "https://api.example.test/db-1/items?n=3"
    assert resolved["headers"] == {"Authorization": "Bearer s3cr3t", "X-Count": "2"}
    assert resolved["json_body"] == {"parent": {"database_id": "db-1"}, "n": 3, "l": [True]}
    assert resolved["auth"] == {"credentialName": "{{payload.title}}"}
    assert resolved["timeout"] == 5
    assert str(config["url"]).startswith("https://api.example.test/{{")  # input untouched


def test_render_config_json_string_body_is_escaped() -> None:
    body = '{"text": "New page: {{payload.quote}} ({{payload.n}})", "n": 1}'
    resolved = render_config({"body": body}, SCOPE)["body"]
    assert json.loads(resolved) == {"text": 'New page: say "hi" (3)', "n": 1}


def test_render_config_non_json_body_is_plain_text() -> None:
    assert render_config({"body": "title={{payload.title}}"}, SCOPE)["body"] == "title=Hello"
    assert render_config({"body": '{"n": {{payload.n}}}'}, SCOPE)["body"] == '{"n": 3}'


def test_render_config_json_string_body_error_field() -> None:
    with pytest.raises(TemplateError) as info:
        render_config({"body": '{"blocks": [{"text": "{{payload.gone}}"}]}'}, SCOPE)
    assert info.value.field == "body.blocks[0].text"


def test_render_whole_payload_is_json_data() -> None:
    assert render("{{payload}}", SCOPE) == SCOPE.payload


def test_render_without_credential_source_fails() -> None:
    with pytest.raises(TemplateError, match="credentials are not available"):
        render_string("{{getCredential('tok')}}", Scope())


def test_syntax_errors_and_credential_names() -> None:
    config = {
        "url": "{{getCredential('slackWebhook')}}",
        "headers": {"A": '{{getCredential("other.name")}}', "B": "{{ 1+1 }}"},
    }
    assert credential_names(config) == {"slackWebhook", "other.name"}
    assert syntax_errors(config) == ["invalid template expression {{1+1}} (field headers.B)"]


def test_render_operand_keeps_types_and_gives_missing_for_absent_paths() -> None:
    assert render_operand("{{payload.n}}", SCOPE) == 3
    assert render_operand("{{payload.none}}", SCOPE) is None
    assert render_operand("n={{payload.n}}", SCOPE) == "n=3"
    assert render_operand("plain", SCOPE) == "plain"
    assert render_operand("{{payload.nope}}", SCOPE) is MISSING
    assert render_operand("{{payload.obj.a.9}}", SCOPE) is MISSING
    assert render_operand("{{steps.skipped.output.x}}", SCOPE) is MISSING
    assert not MISSING and repr(MISSING) == "MISSING"


def test_render_operand_inside_text_and_credentials_still_fail() -> None:
    with pytest.raises(TemplateError, match="missing value"):
        render_operand("id {{payload.nope}}", SCOPE)
    with pytest.raises(TemplateError, match="credentials are not available"):
        render_operand("{{getCredential('tok')}}", Scope(payload={}))


def test_render_config_leaves_condition_fields_to_the_executor() -> None:
    config = {"condition": "{{payload.title}} == 'x'", "cases": [{"name": "a", "condition": "{{payload.n}} > 1"}]}
    assert render_config(config, SCOPE) == config
