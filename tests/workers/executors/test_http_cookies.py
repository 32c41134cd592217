"""The shared client keeps no cookies: nothing one run (or user) receives rides along on another's request."""

from __future__ import annotations

from typing import Any

from tests.support.stub_server import StubServer
from workers.executors.base import EngineLimits
from workers.executors.http_request import HttpRequestExecutor
from workers.executors.netguard import shared_client

run = HttpRequestExecutor().run
OPEN = EngineLimits(allow_private_networks=True)


def test_a_cookie_set_in_one_run_is_not_sent_in_the_next(stub_server: StubServer, make_ctx: Any) -> None:
    stub_server.route("GET", "/login", body="ok", headers={"Set-Cookie": "session=alice-secret; Path=/"})
    stub_server.route("GET", "/echo", echo=True)
    run(make_ctx({"url": stub_server.url + "/login"})[0])  # one run (user) gets a cookie ...
    second = run(make_ctx({"url": stub_server.url + "/echo"})[0]).output  # ... the next must not send it
    assert "cookie" not in second["body"]["headers"]
    assert len(shared_client(OPEN).cookies.jar) == 0


def test_a_cookie_header_written_by_the_user_is_sent(stub_server: StubServer, make_ctx: Any) -> None:
    stub_server.route("GET", "/echo", echo=True, headers={"Set-Cookie": "other=1"})
    config = {"url": stub_server.url + "/echo", "headers": {"Cookie": "session=mine"}}
    assert run(make_ctx(config)[0]).output["body"]["headers"]["cookie"] == "session=mine"
    assert run(make_ctx(config)[0]).output["body"]["headers"]["cookie"] == "session=mine"
