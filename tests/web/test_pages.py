"""Web pages: login required, pages render with their contracts, starter templates served from examples/."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from backend.workflows.services import workflow_create

PAGES = ["/", "/builder/", "/credentials/", "/tokens/", "/templates/slack-notification.json"]
GRAPH = {
    "nodes": [{"id": "start", "type": "start", "position": {"x": 0, "y": 0}, "data": {"label": "Start", "config": {}}}],
    "edges": [],
}


@pytest.fixture
def browser_client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("path", PAGES)
def test_pages_require_login(db: Any, path: str) -> None:
    response = Client().get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(f"/login/?next={path}")


def test_login_page_renders_and_logs_in(user: Any) -> None:
    user.set_password("s3cret-pass")
    user.save()
    client = Client()
    page = client.get("/login/")
    assert page.status_code == 200
    assert b'name="username"' in page.content
    response = client.post("/login/", {"username": user.username, "password": "s3cret-pass"})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_login_page_shows_error_on_bad_password(user: Any) -> None:
    response = Client().post("/login/", {"username": user.username, "password": "wrong"})
    assert response.status_code == 200
    assert b"did not match" in response.content


def test_logout_is_a_post(browser_client: Client) -> None:
    response = browser_client.post("/logout/")
    assert response.status_code == 302
    assert browser_client.get("/").status_code == 302


def test_builder_page_has_the_contract_elements(browser_client: Client) -> None:
    response = browser_client.get("/builder/")
    html = response.content.decode()
    assert response.status_code == 200
    for testid in ("canvas", "run-panel", "import-input"):
        assert f'data-testid="{testid}"' in html
    assert 'id="builder-boot"' in html
    assert "js/builder/main.js" in html


def test_builder_page_passes_the_workflow_with_json_script(browser_client: Client, user: Any) -> None:
    workflow = workflow_create(owner=user, name="</script><b>x", graph=GRAPH, description="", variables={"a": "1"})
    response = browser_client.get(f"/builder/{workflow.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "</script><b>x" not in html  # json_script escapes it
    match = re.search(r'<script id="builder-boot" type="application/json">(.*?)</script>', html, re.S)
    assert match
    boot = json.loads(match.group(1))
    assert boot["workflow"]["id"] == str(workflow.pk)
    assert boot["workflow"]["vars"] == {"a": "1"}
    assert boot["workflow"]["graph"]["nodes"][0]["id"] == "start"


def test_builder_page_404_for_another_users_workflow(browser_client: Client, other_user: Any) -> None:
    workflow = workflow_create(owner=other_user, name="theirs", graph=GRAPH, description="", variables={})
    assert browser_client.get(f"/builder/{workflow.pk}/").status_code == 404


def test_workflow_list_shows_only_own_workflows(browser_client: Client, user: Any, other_user: Any) -> None:
    workflow_create(owner=user, name="Mine", graph=GRAPH, description="", variables={})
    workflow_create(owner=other_user, name="Theirs", graph=GRAPH, description="", variables={})
    html = browser_client.get("/").content.decode()
    assert "Mine" in html
    assert "Theirs" not in html


def test_credentials_page_renders(browser_client: Client) -> None:
    response = browser_client.get("/credentials/")
    assert response.status_code == 200
    assert b"credential-rows" in response.content


def test_tokens_page_renders_linked_next_to_credentials_and_never_cached(browser_client: Client) -> None:
    response = browser_client.get("/tokens/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "token-rows" in html and "js/pages/tokens.js" in html and 'href="/v1/docs/"' in html
    nav = re.search(r'<nav class="topnav".*?</nav>', html, re.S)
    assert nav and re.search(r'href="/credentials/"[^<]*>Credentials</a>\s*<a href="/tokens/"', nav.group(0))
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("name", ["slack-notification", "notion-automation"])
def test_examples_endpoint_serves_the_starter_templates(browser_client: Client, name: str) -> None:
    response = browser_client.get(f"/templates/{name}.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    doc = json.loads(response.content)
    assert {"nodes", "edges"} <= set(doc)


def test_examples_endpoint_reads_the_configured_folder(browser_client: Client, settings: Any, tmp_path: Path) -> None:
    (tmp_path / "demo.json").write_text('{"nodes": [], "edges": []}')
    settings.AUTOMATEOS_EXAMPLES_DIR = tmp_path
    assert browser_client.get("/templates/demo.json").json() == {"nodes": [], "edges": []}


@pytest.mark.parametrize("name", ["missing", "..%2Fsettings", "UPPER", ".hidden"])
def test_examples_endpoint_404s_unknown_or_unsafe_names(browser_client: Client, name: str) -> None:
    assert browser_client.get(f"/templates/{name}.json").status_code == 404
