"""`manage.py rotate_credentials`: re-encrypts with the first key, idempotent, reports counts."""

from __future__ import annotations

import base64
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from backend.credentials.models import Credential
from backend.credentials.selectors import credential_decrypt
from backend.credentials.services import credential_create

OLD = "k1:" + base64.b64encode(b"o" * 32).decode()
NEW = "k2:" + base64.b64encode(b"n" * 32).decode()


def _rotate() -> str:
    out = StringIO()
    call_command("rotate_credentials", stdout=out, stderr=StringIO())
    return out.getvalue()


def test_rotate_credentials_reencrypts_and_is_idempotent(user: Any, other_user: Any) -> None:
    with override_settings(AUTOMATEOS_ENCRYPTION_KEYS=OLD):
        credential_create(owner=user, name="a", kind="bearer_token", value="value-a-0123456789")
        credential_create(owner=other_user, name="b", kind="secret_text", value="value-b-0123456789")
    with override_settings(AUTOMATEOS_ENCRYPTION_KEYS=f"{NEW},{OLD}"):
        first = _rotate()
        assert "2 re-encrypted, 0 already current, 0 failed" in first
        assert "[1/2]" in first and "k1 -> k2" in first
        assert "value-a" not in first
        assert set(Credential.objects.values_list("key_id", flat=True)) == {"k2"}
        assert "0 re-encrypted, 2 already current, 0 failed" in _rotate()
    with override_settings(AUTOMATEOS_ENCRYPTION_KEYS=NEW):  # the old key can now be dropped
        values = {c.name: credential_decrypt(credential=c).reveal() for c in Credential.objects.all()}
    assert values == {"a": "value-a-0123456789", "b": "value-b-0123456789"}


def test_rotate_credentials_reports_unreadable_rows(user: Any) -> None:
    with override_settings(AUTOMATEOS_ENCRYPTION_KEYS=OLD):
        credential_create(owner=user, name="a", kind="bearer_token", value="value-a-0123456789")
    err = StringIO()
    with override_settings(AUTOMATEOS_ENCRYPTION_KEYS=NEW), pytest.raises(CommandError, match="1 credential"):
        call_command("rotate_credentials", stdout=StringIO(), stderr=err)
    assert "FAILED" in err.getvalue() and "'k1'" in err.getvalue()
