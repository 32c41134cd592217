"""The limits on stored names and ids (the columns' lengths), and the check that words a breach."""

from __future__ import annotations

import unicodedata
from typing import Any

# Each is the max_length of the column the value is stored in: checked when the value is written,
# so a request that breaks one is a 400 naming the field, never a database error.
NODE_ID_MAX = 200  # Step.node_id, RunEvent.node_id
NODE_LABEL_MAX = 200  # Step.label
WORKFLOW_NAME_MAX = 200  # Workflow.name
WORKFLOW_DESCRIPTION_MAX = 10_000  # Workflow.description (text, bounded so listings stay small)
TOKEN_NAME_MAX = 100  # ApiToken.name
CREDENTIAL_NAME_MAX = 100  # Credential.name (its pattern says so too)
VAR_NAME_MAX = 100  # keys of a workflow's vars
IDEMPOTENCY_KEY_MAX = 255  # Run.idempotency_key
TRIGGER_MAX = 16  # Run.trigger

# Whitespace that is fine inside text meant to span lines (descriptions), and nowhere else.
_MULTILINE_OK = frozenset("\t\n\r")


def text_problem(value: Any, *, max_chars: int, multiline: bool = False, allow_empty: bool = False) -> str | None:
    """Why `value` cannot be stored as this kind of text, in words, or None when it can.

    Control characters (Unicode Cc: NUL, line breaks, escape codes, DEL, C1) and line or paragraph
    separators make no sense in a name or an id: they break log lines, headers and file names, and
    hide what a name really is. The message never quotes the value (it may be long or hostile).
    """
    if not isinstance(value, str):
        return "must be a string"
    if not value and not allow_empty:
        return "must not be empty"
    if len(value) > max_chars:
        return f"must be at most {max_chars} characters (got {len(value)})"
    if value.isprintable():
        return None  # the common case, in C: no Cc, Cs, Zl or Zp character is printable
    for position, char in enumerate(value):
        if multiline and char in _MULTILINE_OK:
            continue
        category = unicodedata.category(char)
        if category == "Cs":
            return f"must not contain a lone surrogate (U+{ord(char):04X} at position {position + 1})"
        if category in ("Cc", "Zl", "Zp"):
            kind = "a line break" if char in "\n\r\u2028\u2029" else "a control character"
            return f"must not contain {kind} (U+{ord(char):04X} at position {position + 1})"
    return None
