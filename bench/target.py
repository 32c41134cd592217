"""The benchmark's HTTP target: asyncio, HTTP/1.1 keep-alive, `?delay=<seconds>` waits per request.

Run in its own process (`python -m bench.target <port>`) so it never competes with the driver's
GIL; it prints "ready <port>" once listening. Every answer is a small JSON body.
"""

from __future__ import annotations

import asyncio
import sys
from urllib.parse import parse_qs, urlsplit

_BODY = b'{"ok":true}'
_REPLY = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
    + str(len(_BODY)).encode()
    + b"\r\n\r\n"
    + _BODY
)


def _delay(target: bytes) -> float:
    if b"delay=" not in target:
        return 0.0
    query = parse_qs(urlsplit(target.decode("latin-1")).query)
    try:
        return max(0.0, float(query.get("delay", ["0"])[0]))
    except ValueError:
        return 0.0


async def _serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
                return
            lines = head.split(b"\r\n")
            parts = lines[0].split(b" ")
            length = 0
            close = False
            for line in lines[1:]:
                name, _, value = line.partition(b":")
                lowered = name.strip().lower()
                if lowered == b"content-length":
                    length = int(value.strip() or 0)
                elif lowered == b"connection" and value.strip().lower() == b"close":
                    close = True
            if length:
                await reader.readexactly(length)
            wait = _delay(parts[1]) if len(parts) > 1 else 0.0
            if wait:
                await asyncio.sleep(wait)
            writer.write(_REPLY)
            await writer.drain()
            if close:
                return
    finally:
        writer.close()


async def main(port: int) -> None:
    server = await asyncio.start_server(_serve, "127.0.0.1", port, backlog=1024)
    bound = server.sockets[0].getsockname()[1]
    print(f"ready {bound}", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 0))
