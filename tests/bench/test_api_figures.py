"""The load generator's HTTP/1.1 client, against a real socket server on 127.0.0.1."""

from __future__ import annotations

import asyncio

from bench.api_figures import _Connection, _post_request

REPLIES = [
    b'HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{"id": "a"}',
    b'HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n{"id\r\n7\r\n": "b"}\r\n0\r\n\r\n',
    b"HTTP/1.1 429 Too Many Requests\r\nContent-Length: 2\r\nConnection: close\r\n\r\nno",
]


async def _serve(received: list[bytes], accepted: list[int]) -> asyncio.Server:
    async def on_client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.append(1)
        for reply in REPLIES:
            head = await reader.readuntil(b"\r\n\r\n")
            length = int(next(ln for ln in head.split(b"\r\n") if ln.startswith(b"Content-Length")).split(b": ")[1])
            received.append(head + await reader.readexactly(length))
            writer.write(reply)
            await writer.drain()
        writer.close()

    return await asyncio.start_server(on_client, "127.0.0.1", 0)


async def test_connection_keeps_alive_and_reads_length_chunked_and_close() -> None:
    received: list[bytes] = []
    accepted: list[int] = []
    server = await _serve(received, accepted)
    port = server.sockets[0].getsockname()[1]
    request = _post_request(f"127.0.0.1:{port}", "/v1/runs", b'{"graph": {}}', {"Authorization": "Bearer t"})
    http = _Connection(f"127.0.0.1:{port}", request)
    try:
        replies = [await http.send() for _ in REPLIES]
    finally:
        http.close()
        server.close()
    assert replies == [(201, b'{"id": "a"}'), (201, b'{"id": "b"}'), (429, b"no")]
    assert accepted == [1]  # one connection for all three
    assert received[0].startswith(b"POST /v1/runs HTTP/1.1\r\n")
    assert b"Authorization: Bearer t\r\n" in received[0]
    assert received[0].endswith(b'\r\n\r\n{"graph": {}}')
    assert http.writer is None  # "Connection: close" dropped it
