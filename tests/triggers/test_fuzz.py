"""Property-based fuzz of the trigger endpoints: whatever is sent, the answer is never a 5xx and every
error is in the error shape."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st
from rest_framework.test import APIClient

from backend.triggers.webhook_services import OPTIONS
from tests.support.fuzz import FUZZ
from tests.triggers.conftest import enable

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("discard_dispatch")]

TEXT = st.one_of(
    st.text(max_size=80),
    st.sampled_from(["", "\x00", "Etc", "Europe/Paris", "0 0 30 2 *", "*/0 * * * *", "a" * 300, "../x", "é"]),
)
VALUE = st.one_of(st.none(), st.booleans(), st.integers(-(2**63), 2**63), st.floats(allow_nan=False), TEXT,
                  st.lists(st.integers(), max_size=3), st.dictionaries(TEXT, st.integers(), max_size=3))  # fmt: skip


def _shaped(response: Any) -> None:
    assert response.status_code < 500, response.content
    if response.status_code >= 400:
        assert set(response.json()["error"]) >= {"code", "message", "details"}


@FUZZ
@given(body=st.dictionaries(st.sampled_from(sorted(OPTIONS)), VALUE, max_size=6))
def test_fuzz_webhook_put_is_never_a_5xx(api: APIClient, workflow: Any, body: dict[str, Any]) -> None:
    _shaped(api.put(f"/v1/workflows/{workflow.pk}/webhook", body, format="json"))


@FUZZ
@given(
    body=st.dictionaries(
        st.sampled_from(["cron", "timezone", "interval", "enabled"]),
        st.one_of(VALUE, st.fixed_dictionaries({"every": VALUE, "unit": VALUE})),
        max_size=4,
    )
)
def test_fuzz_schedule_put_is_never_a_5xx(api: APIClient, workflow: Any, body: dict[str, Any]) -> None:
    _shaped(api.put(f"/v1/workflows/{workflow.pk}/schedule", body, format="json"))


@FUZZ
@given(
    raw=st.binary(max_size=300),
    content_type=st.sampled_from(
        [
            "application/json",
            "application/x-www-form-urlencoded",
            "multipart/form-data",
            "text/plain",
            "application/vnd.api+json",
            "",
        ]
    ),
    query=st.text(max_size=40),
    header=st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=40),
)
def test_fuzz_hook_post_is_never_a_5xx(
    api: APIClient, workflow: Any, raw: bytes, content_type: str, query: str, header: str
) -> None:
    cache.clear()  # the rate limit is not what this fuzzes
    path = enable(api, workflow, signature="generic", secret="s")["path"]
    for signature in ("00", header):
        response = Client().post(
            f"{path}?q={query}", data=raw, content_type=content_type, headers={"X-Signature": signature}
        )
        _shaped(response)
    enable(api, workflow, signature="none")
    _shaped(Client().post(f"{path}?q={query}", data=raw, content_type=content_type, headers={"X-Custom": header}))
