"""Compressed bodies are inflated in bounded memory and cut at the response cap."""

from __future__ import annotations

import gzip
import tracemalloc
import zlib
from typing import Any

import pytest

from tests.support.stub_server import StubServer
from workers.executors.base import EngineLimits, NodeFailure
from workers.executors.http_decode import ACCEPT_ENCODING, PIECE, decoded
from workers.executors.http_request import HttpRequestExecutor

run = HttpRequestExecutor().run


def test_gzip_bomb_is_cut_at_the_cap_in_bounded_memory(stub_server: StubServer, make_ctx: Any) -> None:
    bomb = gzip.compress(b"x" * (64 << 20), 9)  # 64 MiB from ~64 KiB
    stub_server.route("GET", "/bomb", body=bomb, headers={"Content-Encoding": "gzip", "Content-Type": "text/plain"})
    limits = EngineLimits(allow_private_networks=True, http_max_response_bytes=64 * 1024)
    ctx = make_ctx({"url": stub_server.url + "/bomb", "retries": 0}, limits=limits)[0]
    tracemalloc.start()
    try:
        output = run(ctx).output
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert output["truncated"] is True and output["body"] == "x" * (64 * 1024)
    assert peak < 4 * 2**20, f"decompressing took {peak / 2**20:.1f} MiB"


def test_gzip_json_is_decoded_whole(stub_server: StubServer, make_ctx: Any) -> None:
    body = gzip.compress(b'{"ok": true, "items": [1, 2, 3]}')
    stub_server.route("GET", "/z", body=body, headers={"Content-Encoding": "gzip", "Content-Type": "application/json"})
    output = run(make_ctx({"url": stub_server.url + "/z"})[0]).output
    assert output["body"] == {"ok": True, "items": [1, 2, 3]} and output["truncated"] is False


def test_invalid_gzip_fails_clearly(stub_server: StubServer, make_ctx: Any) -> None:
    stub_server.route("GET", "/z", body=b"not gzip at all", headers={"Content-Encoding": "gzip"})
    with pytest.raises(NodeFailure, match=r"/z: the body is not valid gzip"):
        run(make_ctx({"url": stub_server.url + "/z", "retries": 3})[0])
    assert len(stub_server.requests) == 1  # not retried: the same bytes would come back


def _raw_deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush()


TEXT = b"hello " * 50_000  # inflates to more than one PIECE


@pytest.mark.parametrize(
    ("encoding", "body", "expected"),
    [
        ("", TEXT, TEXT),
        ("identity", TEXT, TEXT),
        ("gzip", gzip.compress(TEXT), TEXT),
        ("x-gzip", gzip.compress(TEXT), TEXT),
        ("deflate", zlib.compress(TEXT), TEXT),
        ("deflate", _raw_deflate(TEXT), TEXT),
        ("deflate, gzip", gzip.compress(zlib.compress(TEXT)), TEXT),
        ("GZIP", gzip.compress(TEXT), TEXT),
        ("br", b"\x0b\x02\x80hello", b"\x0b\x02\x80hello"),  # not decoded here: kept as sent
    ],
)
def test_decoded_undoes_each_coding(encoding: str, body: bytes, expected: bytes) -> None:
    chunks = [body[i : i + 1000] for i in range(0, len(body), 1000)]  # as it comes off the wire
    pieces = list(decoded(chunks, encoding))
    assert b"".join(pieces) == expected
    assert max(len(p) for p in pieces) <= max(PIECE, 1000)


def test_only_decodable_codings_are_advertised(stub_server: StubServer, make_ctx: Any) -> None:
    stub_server.route("GET", "/echo", echo=True)
    sent = run(make_ctx({"url": stub_server.url + "/echo"})[0]).output["body"]["headers"]
    assert sent["accept-encoding"] == ACCEPT_ENCODING == "gzip, deflate"
