"""URL templates: every placeholder value is percent-encoded for the URL part it lands in."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from workers.template_url import UrlPart, encode_for, url_part
from workers.templates import Scope, TemplateError, render_config, render_url

SCOPE = Scope(
    payload={"q": "a&q=1", "climb": "../admin", "dots": "..", "slashy": "a/b?c#d", "n": 3, "space": "x y+z"},
    vars={"url": "https://api.example.test/v1?a=1&b=2", "base": "https://api.example.test/v1", "host": "h.test:8080"},
)


@pytest.mark.parametrize(
    ("before", "part"),
    [
        ("", UrlPart.BASE),
        ("  ", UrlPart.BASE),
        ("http", UrlPart.SCHEME),
        ("https://", UrlPart.AUTHORITY),
        ("https://user@", UrlPart.AUTHORITY),
        ("https://h.test/", UrlPart.PATH),
        ("https://h.test/a/b-", UrlPart.PATH),
        ("https://h.test/a?", UrlPart.QUERY),
        ("https://h.test/a?x=1&y=", UrlPart.QUERY),
        ("https://h.test/a?x=/#", UrlPart.FRAGMENT),
        ("https://h.test/#frag/", UrlPart.FRAGMENT),
    ],
)
def test_url_part_from_text_before(before: str, part: UrlPart) -> None:
    assert url_part(before) is part


@pytest.mark.parametrize(
    ("part", "value", "expected"),
    [
        (UrlPart.PATH, "../admin", "..%2Fadmin"),
        (UrlPart.PATH, "..", "%2E%2E"),
        (UrlPart.PATH, ".", "%2E"),
        (UrlPart.PATH, "a/b?c#d&e", "a%2Fb%3Fc%23d%26e"),
        (UrlPart.QUERY, "a&q=1", "a%26q%3D1"),
        (UrlPart.QUERY, "1+1 #x", "1%2B1%20%23x"),
        (UrlPart.FRAGMENT, "a#b&c", "a%23b%26c"),
        (UrlPart.AUTHORITY, "h.test:8080", "h.test:8080"),
        (UrlPart.AUTHORITY, "[::1]:80", "[::1]:80"),
        (UrlPart.AUTHORITY, "evil.test/x?", "evil.test%2Fx%3F"),
        (UrlPart.AUTHORITY, "a@evil.test", "a%40evil.test"),
        (UrlPart.BASE, "https://h.test/a?b=1", "https://h.test/a?b=1"),
        (UrlPart.PATH, "ünï", "%C3%BCn%C3%AF"),
    ],
)
def test_encode_for_each_part(part: UrlPart, value: str, expected: str) -> None:
    assert encode_for(part, value) == expected


def test_render_url_query_value_cannot_add_a_parameter() -> None:
    url = render_url("https://h.test/search?q={{payload.q}}&page={{payload.n}}", SCOPE)
    assert url == "https://h.test/search?q=a%26q%3D1&page=3"
    assert parse_qs(urlsplit(url).query) == {"q": ["a&q=1"], "page": ["3"]}


def test_render_url_path_value_cannot_climb_or_add_segments() -> None:
    assert render_url("https://h.test/files/{{payload.climb}}", SCOPE) == "https://h.test/files/..%2Fadmin"
    assert render_url("https://h.test/files/{{payload.dots}}/x", SCOPE) == "https://h.test/files/%2E%2E/x"
    assert render_url("https://h.test/{{payload.slashy}}", SCOPE) == "https://h.test/a%2Fb%3Fc%23d"


def test_render_url_fragment_and_space_are_encoded() -> None:
    assert render_url("https://h.test/p#{{payload.q}}", SCOPE) == "https://h.test/p#a%26q%3D1"
    assert render_url("https://h.test/p?s={{payload.space}}", SCOPE) == "https://h.test/p?s=x%20y%2Bz"


def test_render_url_whole_field_placeholder_is_the_whole_url() -> None:
    assert render_url("{{vars.url}}", SCOPE) == "https://api.example.test/v1?a=1&b=2"
    assert render_url(" {{ vars.url }} ", SCOPE) == "https://api.example.test/v1?a=1&b=2"


def test_render_url_leading_placeholder_is_a_base_and_the_rest_is_encoded() -> None:
    url = render_url("{{vars.base}}/items/{{payload.climb}}?q={{payload.q}}", SCOPE)
    assert url == "https://api.example.test/v1/items/..%2Fadmin?q=a%26q%3D1"


def test_render_url_host_placeholder_keeps_host_and_port() -> None:
    assert render_url("http://{{vars.host}}/x/{{payload.n}}", SCOPE) == "http://h.test:8080/x/3"


def test_render_url_without_placeholders_is_unchanged() -> None:
    assert render_url("https://h.test/a%20b?x=1&y=2", SCOPE) == "https://h.test/a%20b?x=1&y=2"


def test_render_config_url_error_names_the_field() -> None:
    with pytest.raises(TemplateError) as info:
        render_config({"url": "https://h.test/{{payload.gone}}"}, SCOPE)
    assert info.value.field == "url" and "missing value for {{payload.gone}}" in info.value.message


@pytest.mark.parametrize("value", ["a\r\nX-Evil: 1", "line\nbreak", "cr\ronly"])
def test_render_config_header_value_with_line_break_is_refused(value: str) -> None:
    scope = Scope(payload={"v": value})
    with pytest.raises(TemplateError) as info:
        render_config({"headers": {"X-Name": "pre {{payload.v}}"}}, scope)
    assert info.value.field == "headers.X-Name"
    assert "{{payload.v}}" in info.value.message and "line break" in info.value.message
    assert value not in str(info.value)


def test_render_config_header_values_are_text() -> None:
    scope = Scope(payload={"n": 3, "obj": {"a": 1}})
    headers = render_config({"headers": {"X-N": "{{payload.n}}", "X-O": "{{payload.obj}}"}}, scope)["headers"]
    assert headers == {"X-N": "3", "X-O": '{"a":1}'}
