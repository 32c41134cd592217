"""The text check behind every stored name and id: type, emptiness, length, control characters."""

from __future__ import annotations

import pytest

from backend.core.limits import text_problem


@pytest.mark.parametrize(
    ("value", "kwargs", "expected"),
    [
        (5, {}, "must be a string"),
        (None, {}, "must be a string"),
        ("", {}, "must not be empty"),
        ("a" * 11, {}, "must be at most 10 characters (got 11)"),
        ("ab\ncd", {}, "must not contain a line break (U+000A at position 3)"),
        ("ab\u2028", {}, "must not contain a line break (U+2028 at position 3)"),
        ("a\x00", {}, "must not contain a control character (U+0000 at position 2)"),
        ("a\x1b[31m", {}, "must not contain a control character (U+001B at position 2)"),
        ("a\x9b", {}, "must not contain a control character (U+009B at position 2)"),
        ("tab\t", {}, "must not contain a control character (U+0009 at position 4)"),
        ("a\ud800", {}, "must not contain a lone surrogate (U+D800 at position 2)"),
        ("x\x07\n", {"multiline": True}, "must not contain a control character (U+0007 at position 2)"),
    ],
)
def test_text_problem_words_each_breach(value: object, kwargs: dict[str, bool], expected: str) -> None:
    assert text_problem(value, max_chars=10, **kwargs) == expected


@pytest.mark.parametrize(
    ("value", "kwargs"),
    [
        ("a" * 10, {}),
        ("Zoë 日本 🎉", {}),
        ("zero\u200bwidth", {}),  # format characters (ZWJ in emoji, say) are text, not control
        ("", {"allow_empty": True}),
        ("a\tb\r\nc", {"multiline": True}),
    ],
)
def test_text_problem_accepts_storable_text(value: str, kwargs: dict[str, bool]) -> None:
    assert text_problem(value, max_chars=10, **kwargs) is None
