"""Parses the text form (`{{payload.n}} > 1 and not {{payload.tag}} exists`) into the condition tree."""

from __future__ import annotations

from collections.abc import Callable

from workers.conditions.lexer import Token, at, tokenize
from workers.conditions.model import MAX_DEPTH, MAX_RULES, MAX_TEXT_CHARS, ConditionError, Group, Match, Node, Rule

_BINARY = {
    "==": "equals",
    "!=": "not_equals",
    ">": "gt",
    ">=": "gte",
    "<": "lt",
    "<=": "lte",
    "contains": "contains",
    "startswith": "starts_with",
    "endswith": "ends_with",
}
_UNARY = {"exists": "exists", "empty": "is_empty"}
# `{{a}} not contains "x"`, `{{a}} not exists`, `{{a}} not empty`
_NEGATED = {"contains": "not_contains", "exists": "not_exists", "empty": "not_empty"}
_OPERATORS = "==, !=, >, >=, <, <=, contains, startsWith, endsWith, exists or empty"


def parse_text(source: str) -> Node:
    if len(source) > MAX_TEXT_CHARS:
        raise ConditionError(f"the condition is longer than {MAX_TEXT_CHARS} characters")
    tokens = tokenize(source)
    if not tokens:
        raise ConditionError("the condition is empty")
    return _Parser(source, tokens).parse()


class _Parser:
    def __init__(self, source: str, tokens: list[Token]) -> None:
        self.source = source
        self.tokens = tokens
        self.pos = 0
        self.rules = 0

    def parse(self) -> Node:
        node = self._or(0)
        if self.pos < len(self.tokens):
            token = self.tokens[self.pos]
            raise ConditionError(f'{at(token.start)}: expected and, or or the end, found "{token.text}"')
        return node

    def _peek(self) -> Token | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def _take(self, kind: str, *texts: str) -> Token | None:
        token = self._peek()
        if token is not None and token.kind == kind and (not texts or token.text in texts):
            self.pos += 1
            return token
        return None

    def _or(self, depth: int) -> Node:
        return self._chain("or", "any", self._and, depth)

    def _and(self, depth: int) -> Node:
        return self._chain("and", "all", self._not, depth)

    def _chain(self, word: str, match: Match, parse: Callable[[int], Node], depth: int) -> Node:
        first = self.tokens[self.pos].start if self.pos < len(self.tokens) else len(self.source)
        nodes = [parse(depth)]
        while self._take("word", word):
            nodes.append(parse(depth))
        if len(nodes) == 1:
            return nodes[0]
        return Group(match=match, rules=tuple(nodes), where=self._where(first))

    def _not(self, depth: int) -> Node:
        start = self._peek()
        negations = 0
        while self._take("word", "not"):
            negations += 1
        inner = self._primary(depth)
        if negations % 2 == 0:
            return inner
        if isinstance(inner, Group):
            where = self._where(start.start) if start is not None else inner.where
            return Group(match=inner.match, rules=inner.rules, negate=not inner.negate, where=where)
        return Group(match="all", rules=(inner,), negate=True, where=inner.where)

    def _primary(self, depth: int) -> Node:
        opening = self._take("symbol", "(")
        if opening is None:
            return self._comparison()
        if depth + 1 > MAX_DEPTH:
            raise ConditionError(f"{at(opening.start)}: parentheses nested deeper than {MAX_DEPTH}")
        node = self._or(depth + 1)
        if self._take("symbol", ")") is None:
            raise ConditionError(f"{self._here()}: expected ) to close the ( {at(opening.start)}")
        return node

    def _comparison(self) -> Rule:
        left = self._take("value")
        if left is None:
            raise ConditionError(f"{self._here()}: expected a {{{{placeholder}}}}, a literal, not or (")
        self.rules += 1
        if self.rules > MAX_RULES:
            raise ConditionError(f"{at(left.start)}: more than {MAX_RULES} comparisons")
        negated = self._take("word", "not") is not None
        token = self._take("symbol") or self._take("word")
        if token is None:
            found = self._found()
            raise ConditionError(f"{self._here()}: expected an operator after {left.text} ({_OPERATORS}), {found}")
        op = _NEGATED.get(token.text) if negated else _UNARY.get(token.text) or _BINARY.get(token.text)
        if op is None:
            allowed = "contains, exists or empty" if negated else _OPERATORS
            raise ConditionError(f'{at(token.start)}: expected an operator ({allowed}), found "{token.text}"')
        if op in ("exists", "not_exists", "is_empty", "not_empty"):
            return Rule(left=left.value, op=op, where=self._where(left.start))
        right = self._take("value")
        if right is None:
            raise ConditionError(f"{self._here()}: expected a value after {token.text}, {self._found()}")
        return Rule(left=left.value, op=op, right=right.value, where=self._where(left.start))

    def _here(self) -> str:
        token = self._peek()
        return at(token.start if token is not None else len(self.source))

    def _found(self) -> str:
        token = self._peek()
        return f'found "{token.text}"' if token is not None else "found the end"

    def _where(self, start: int) -> str:
        end = self.tokens[self.pos - 1].end if self.pos else start
        snippet = " ".join(self.source[start:end].split())
        if len(snippet) > 60:
            snippet = snippet[:59] + "…"
        return f" in `{snippet}`"
