"""Who may talk to the dashboard's server (`dashboards.guard`): requests run through the middleware, no server."""

from __future__ import annotations

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from dashboards import HOSTS_VARIABLE, TOKEN_VARIABLE
from dashboards.guard import (
    BAD_HOST,
    BAD_ORIGIN,
    NEEDS_TOKEN,
    Access,
    Guard,
    host_name,
    is_loopback,
    new_token,
    refusal,
    same_origin,
)

PORT = 8765
TOKEN = "s3cret-token"
COOKIE = f"brink-dashboard-token-{PORT}"


def scope(
    kind: str = "http",
    host: str | None = f"127.0.0.1:{PORT}",
    path: str = "/",
    query: str = "",
    method: str = "GET",
    **headers: str,
) -> dict[str, Any]:
    """An ASGI scope as uvicorn builds it (header names lower case, as bytes)."""
    pairs = [] if host is None else [(b"host", host.encode())]
    pairs += [(name.replace("_", "-").encode(), value.encode()) for name, value in headers.items()]
    found = {"type": kind, "path": path, "query_string": query.encode(), "headers": pairs, "server": ("x", PORT)}
    if kind == "http":
        found["method"] = method
    return found


class App:
    """The application behind the guard: records what reached it."""

    def __init__(self) -> None:
        self.seen: list[dict[str, Any]] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        self.seen.append(scope)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


def through(access: Access, request: dict[str, Any]) -> tuple[App, list[dict[str, Any]]]:
    """Run `request` through the guard; the app behind it and the messages sent back."""
    app, sent = App(), []

    async def receive() -> dict[str, Any]:
        return {"type": "websocket.connect"} if request["type"] == "websocket" else {"type": "http.request"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    # A thread of its own: the test session may already run an event loop in this one (Playwright, Solara).
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, Guard(app, access)(request, receive, send)).result()
    return app, sent


def headers_of(message: dict[str, Any]) -> dict[str, str]:
    return {k.decode(): v.decode() for k, v in message.get("headers", [])}


LOOPBACK = Access.of([])
WITH_TOKEN = Access.of(["0.0.0.0", "lab-host"], TOKEN)


# --- Host -------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "name"),
    [
        ("127.0.0.1:8765", "127.0.0.1"),
        ("LOCALHOST:8765", "localhost"),
        ("localhost.", "localhost"),
        ("[::1]:8765", "::1"),
        ("[::1]", "::1"),
        ("example.org", "example.org"),
        ("::1", None),  # a bare IPv6 address is not a valid Host header
        ("[::1", None),
        ("[::1]x", None),
        ("host:port", None),
        ("", None),
    ],
)
def test_host_name_of_a_header(header, name):
    assert host_name(header) == name


@pytest.mark.parametrize("host", [f"127.0.0.1:{PORT}", f"localhost:{PORT}", f"[::1]:{PORT}", "127.0.0.1", "LocalHost"])
def test_loopback_hosts_are_let_through(host):
    app, sent = through(LOOPBACK, scope(host=host))
    assert len(app.seen) == 1 and sent[0]["status"] == 200


@pytest.mark.parametrize("host", [f"evil.test:{PORT}", f"127.0.0.2:{PORT}", f"0.0.0.0:{PORT}", "[::1", "", None])
def test_other_hosts_are_refused_with_one_line(host):
    app, sent = through(LOOPBACK, scope(host=host))
    assert app.seen == []
    assert sent[0]["status"] == 403 and headers_of(sent[0])["content-type"].startswith("text/plain")
    assert sent[1]["body"].decode() == BAD_HOST + "\n"


def test_the_host_the_server_was_started_for_is_let_through():
    access = Access.of(["Lab-Host", "[fe80::1]"])
    assert {"lab-host", "fe80::1", "127.0.0.1", "localhost", "::1"} == set(access.hosts)
    assert refusal(access, scope(host="lab-host:8765")) is None
    assert refusal(access, scope(host="[fe80::1]:8765")) is None
    assert refusal(access, scope(host="other-host:8765")) == BAD_HOST


def test_a_websocket_to_a_foreign_host_is_closed_before_it_is_accepted():
    request = scope("websocket", host=f"evil.test:{PORT}", origin=f"http://evil.test:{PORT}")
    app, sent = through(LOOPBACK, request)
    assert app.seen == [] and sent == [{"type": "websocket.close", "code": 1008}]


# --- Origin -----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("origin", "host", "same"),
    [
        (f"http://127.0.0.1:{PORT}", f"127.0.0.1:{PORT}", True),
        (f"http://LOCALHOST:{PORT}", f"localhost:{PORT}", True),
        (f"http://[::1]:{PORT}", f"[::1]:{PORT}", True),
        ("http://127.0.0.1", "127.0.0.1:80", True),
        ("https://127.0.0.1", "127.0.0.1:443", True),
        (f"http://127.0.0.1:{PORT + 1}", f"127.0.0.1:{PORT}", False),  # another server on the same machine
        (f"http://localhost:{PORT}", f"127.0.0.1:{PORT}", False),
        (f"http://evil.test:{PORT}", f"127.0.0.1:{PORT}", False),
        ("null", f"127.0.0.1:{PORT}", False),  # a sandboxed frame or a file: page
        (f"file://127.0.0.1:{PORT}", f"127.0.0.1:{PORT}", False),
        ("http://127.0.0.1:99999", f"127.0.0.1:{PORT}", False),
    ],
)
def test_same_origin(origin, host, same):
    assert same_origin(origin, host) is same


def test_websockets_must_come_from_a_page_of_this_server():
    ok = scope("websocket", origin=f"http://127.0.0.1:{PORT}")
    assert refusal(LOOPBACK, ok) is None
    assert refusal(LOOPBACK, scope("websocket", origin="http://evil.test")) == BAD_ORIGIN
    assert refusal(LOOPBACK, scope("websocket", origin=f"http://127.0.0.1:{PORT + 1}")) == BAD_ORIGIN
    assert refusal(LOOPBACK, scope("websocket")) == BAD_ORIGIN  # browsers always send Origin with a WebSocket
    app, sent = through(LOOPBACK, scope("websocket", origin="http://evil.test"))
    assert app.seen == [] and sent == [{"type": "websocket.close", "code": 1008}]


def test_requests_that_change_something_from_another_site_are_refused():
    close = "/_solara/api/close/kernel-1"
    assert refusal(LOOPBACK, scope(path=close, method="POST", origin="http://evil.test")) == BAD_ORIGIN
    assert refusal(LOOPBACK, scope(path=close, method="POST", origin=f"http://127.0.0.1:{PORT}")) is None
    assert refusal(LOOPBACK, scope(path=close, method="POST")) is None  # no Origin: not from a browser page
    assert refusal(LOOPBACK, scope(origin="http://evil.test")) is None  # a GET (an image, a link) changes nothing


# --- the token -------------------------------------------------------------------------------------------------------


def test_without_the_token_nothing_gets_through():
    for request in (
        scope(),
        scope(path="/static/main.js"),
        scope(query="token=wrong"),
        scope(cookie=f"{COOKIE}=wrong"),
        scope(cookie=f"brink-dashboard-token-{PORT + 1}={TOKEN}"),  # another dashboard's cookie
        scope(authorization="Bearer " + TOKEN),
        scope("websocket", origin=f"http://127.0.0.1:{PORT}"),
    ):
        assert refusal(WITH_TOKEN, request) == NEEDS_TOKEN, request
    app, sent = through(WITH_TOKEN, scope())
    assert app.seen == [] and sent[0]["status"] == 403 and sent[1]["body"].decode() == NEEDS_TOKEN + "\n"
    app, sent = through(WITH_TOKEN, scope("websocket", origin=f"http://127.0.0.1:{PORT}"))
    assert app.seen == [] and sent == [{"type": "websocket.close", "code": 1008}]


def test_the_token_in_the_address_sets_a_cookie_and_leaves_the_address():
    app, sent = through(WITH_TOKEN, scope(path="/results", query=f"token={TOKEN}&x=1"))
    assert app.seen == []
    start = sent[0]
    assert start["status"] == 303
    headers = headers_of(start)
    assert headers["location"] == "/results?x=1"
    assert headers["set-cookie"] == f"{COOKIE}={TOKEN}; Path=/; HttpOnly; SameSite=Strict"


def test_the_cookie_or_an_authorization_header_lets_requests_through():
    for request in (
        scope(cookie=f"other=1; {COOKIE}={TOKEN}"),
        scope(authorization=f"token {TOKEN}"),
        scope("websocket", origin=f"http://127.0.0.1:{PORT}", cookie=f"{COOKIE}={TOKEN}"),
        scope(path="/_solara/api/close/k", method="POST", query=f"token={TOKEN}"),  # no redirect but a GET's
    ):
        app, _sent = through(WITH_TOKEN, request)
        assert len(app.seen) == 1, request
    assert refusal(WITH_TOKEN, scope(host="evil.test", cookie=f"{COOKIE}={TOKEN}")) == BAD_HOST  # host first


def test_new_tokens_are_long_and_different():
    tokens = {new_token() for _ in range(50)}
    assert len(tokens) == 50 and all(len(t) >= 32 for t in tokens)


# --- host details and settings ---------------------------------------------------------------------------------------


def test_resourcez_never_gets_its_verbose_view():
    app, _sent = through(LOOPBACK, scope(path="/resourcez", query="verbose&x=1"))
    assert app.seen[0]["query_string"] == b"x=1"
    app, _sent = through(LOOPBACK, scope(path="/other", query="verbose"))
    assert app.seen[0]["query_string"] == b"verbose"


def test_lifespan_and_other_scopes_pass_untouched():
    app, _sent = through(LOOPBACK, {"type": "lifespan"})
    assert app.seen == [{"type": "lifespan"}]


@pytest.mark.parametrize(
    ("address", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.0.1.1", True),
        ("::1", True),
        ("[::1]", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.5", False),
        ("fe80::1%eth0", False),
        ("localhost", False),  # a name, not an address: `brink dashboard` checks the address it resolves to
    ],
)
def test_is_loopback(address, loopback):
    assert is_loopback(address) is loopback


def test_access_travels_to_the_server_in_its_environment(monkeypatch):
    for key, value in WITH_TOKEN.environment().items():
        monkeypatch.setenv(key, value)
    assert Access.from_environment() == WITH_TOKEN
    monkeypatch.setenv(TOKEN_VARIABLE, "")
    monkeypatch.setenv(HOSTS_VARIABLE, json.dumps(["lab-host"]))
    assert Access.from_environment() == Access.of(["lab-host"])
    monkeypatch.setenv(HOSTS_VARIABLE, "not json")
    monkeypatch.delenv(TOKEN_VARIABLE)
    assert Access.from_environment() == LOOPBACK
