"""The one command line that serves the ASGI app (HTTP and websockets): every launcher builds it here."""

from __future__ import annotations

import os
import sys

APPLICATION = "backend.config.asgi:application"


def web_argv(*, host: str = "127.0.0.1", port: int = 8000) -> list[str]:
    """uvicorn with its C HTTP parser and event loop, named so a missing one fails at start, not silently.

    uvicorn rather than daphne: under `make bench` load daphne spent half of a POST /v1/runs' CPU in
    Twisted's HTTP handling, which httptools and uvloop do for much less. No lifespan (Channels' router has none), no
    access log (daphne's was off too: a line per request costs CPU and says less than the run
    events), and no X-Forwarded-* trust, as with daphne: a proxy in front is configured there.
    """
    return [
        sys.executable, "-m", "uvicorn", APPLICATION, "--host", host, "--port", str(port),
        "--loop", "uvloop", "--http", "httptools", "--ws", "websockets-sansio", "--lifespan", "off",
        "--no-access-log", "--no-proxy-headers", "--no-server-header",
    ]  # fmt: skip


def main(args: list[str]) -> None:
    """`python -m backend.core.webserver [HOST [PORT]]`: the same server in place of this process
    (docker-compose's web service), so its signals reach uvicorn directly."""
    host = args[0] if args else "127.0.0.1"
    port = int(args[1]) if len(args) > 1 else 8000
    argv = web_argv(host=host, port=port)
    os.execv(argv[0], argv)  # noqa: S606 - our own fixed command line, no shell wanted


if __name__ == "__main__":
    main(sys.argv[1:])
