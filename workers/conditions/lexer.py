"""Splits the text form of a condition into tokens: placeholders, literals, operators, words."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any

from workers.conditions.model import ConditionError
from workers.conditions.operands import placeholder_problem

_NUMBER = re.compile(r"-?(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d+)?")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SYMBOLS = ("==", "!=", ">=", "<=", ">", "<", "(", ")")
# Words are read case-insensitively: `AND`, `startsWith` and `startswith` are the same word.
KEYWORDS = frozenset(
    {"and", "or", "not", "contains", "startswith", "endswith", "exists", "empty", "true", "false", "null"}
)
_HINTS = {
    "=": "write == to compare",
    "&&": "write and",
    "||": "write or",
    "!": "write not",
    "'": 'strings are written in double quotes: "text"',
}


@dataclass(frozen=True)
class Token:
    kind: str  # "value" (placeholder or literal), "symbol", "word"
    text: str  # the source text (lower case for words)
    value: Any  # the operand value for "value" tokens
    start: int  # offset in the source
    end: int


def at(position: int) -> str:
    return f"at character {position + 1}"


def tokenize(source: str) -> list[Token]:
    tokens: list[Token] = []
    i = 0
    while i < len(source):
        if source[i].isspace():
            i += 1
            continue
        token = _token(source, i)
        tokens.append(token)
        i = token.end
    return tokens


def _token(source: str, i: int) -> Token:
    if source.startswith("{{", i):
        return _placeholder(source, i)
    if source[i] == '"':
        return _string(source, i)
    if (number := _NUMBER.match(source, i)) is not None:
        return _number(number.group(), i)
    if (word := _WORD.match(source, i)) is not None:
        return _word(word.group(), i)
    symbol = next((s for s in _SYMBOLS if source.startswith(s, i)), None)
    if symbol is None:
        shown = source[i : i + 2] if source[i : i + 2] in _HINTS else source[i]
        hint = _HINTS.get(shown, "")
        raise ConditionError(f'{at(i)}: unexpected "{shown}"' + (f"; {hint}" if hint else ""))
    return Token("symbol", symbol, None, i, i + len(symbol))


def _placeholder(source: str, start: int) -> Token:
    end = source.find("}}", start + 2)
    inner_open = source.find("{{", start + 2)
    if end < 0 or (0 <= inner_open < end):
        raise ConditionError(f"{at(start)}: unclosed {{{{ (a placeholder ends with }}}})")
    text = source[start : end + 2]
    problem = placeholder_problem(text)
    if problem:
        raise ConditionError(f"{at(start)}: {problem}")
    return Token("value", text, text, start, end + 2)


def _string(source: str, start: int) -> Token:
    i = start + 1
    while i < len(source):
        if source[i] == "\\":
            i += 2
            continue
        if source[i] == '"':
            literal = source[start : i + 1]
            try:
                value = json.loads(literal)
            except ValueError:
                raise ConditionError(
                    f'{at(start)}: invalid string {_short(literal)} (escapes: \\" \\\\ \\n \\t \\uXXXX)'
                ) from None
            problem = placeholder_problem(value)
            if problem:
                raise ConditionError(f"{at(start)}: {problem}")
            return Token("value", literal, value, start, i + 1)
        i += 1
    raise ConditionError(f'{at(start)}: unclosed string (a string ends with ")')


def _number(text: str, start: int) -> Token:
    value: int | float
    if re.fullmatch(r"-?\d+", text):
        value = int(text)
    else:
        value = float(text)
        if not math.isfinite(value):
            raise ConditionError(f"{at(start)}: number {_short(text)} is too large")
    return Token("value", text, value, start, start + len(text))


def _word(text: str, start: int) -> Token:
    lower = text.lower()
    if lower not in KEYWORDS:
        raise ConditionError(
            f'{at(start)}: unknown word "{_short(text)}"; operands are {{{{placeholders}}}}, numbers, '
            '"strings", true, false or null'
        )
    literals = {"true": True, "false": False, "null": None}
    if lower in literals:
        return Token("value", lower, literals[lower], start, start + len(text))
    return Token("word", lower, None, start, start + len(text))


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
