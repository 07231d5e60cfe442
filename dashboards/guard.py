"""Who may talk to the dashboard's server: an ASGI middleware in front of Solara's Starlette app.

- **Host**: every HTTP request and WebSocket must name one of the hosts the server was started for
  (127.0.0.1, localhost, [::1] and ``--host``), which defeats DNS rebinding (RFC 6454, and the
  checks Jupyter Server makes).
- **Origin**: a WebSocket (the kernel connection) must come from a page of this server; so must any
  request that is not GET, HEAD or OPTIONS when it carries an Origin (cross-site WebSocket hijacking).
- **Token**: when the server listens on a non-loopback address, every request carries the token
  printed at start: ``?token=...`` once (answered with a cookie and a redirect to the same page
  without it), then the cookie, or an ``Authorization: token ...`` header (as Jupyter does).
- ``/resourcez`` never gets its ``verbose`` view (the CPU and memory of the host).

Nothing here imports Solara or Starlette: ``brink dashboard`` uses the same names to start it.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import os
import secrets
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from dashboards import HOSTS_VARIABLE, TOKEN_VARIABLE

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")
"""Host names every dashboard answers to."""
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
TOKEN_PARAMETER = "token"
COOKIE_PREFIX = "brink-dashboard-token-"
"""The token's cookie is named by the port, so that two dashboards on one host keep their own."""
HIDDEN_QUERIES = {"/resourcez": ("verbose",)}
"""Query parameters removed before Solara sees them, by path."""

BAD_HOST = "error: refused: the request names a host this dashboard was not started for"
BAD_ORIGIN = "error: refused: the request comes from a page of another site"
NEEDS_TOKEN = "error: this dashboard needs its token: open the address `brink dashboard` printed (…/?token=…)"

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def new_token() -> str:
    """A fresh random token (192 bits, URL-safe)."""
    return secrets.token_urlsafe(24)


def is_loopback(address: str) -> bool:
    """Whether an IP address is a loopback one (127.0.0.0/8, ::1); a wildcard (0.0.0.0, ::) is not."""
    try:
        return ipaddress.ip_address(address.strip("[]").split("%")[0]).is_loopback
    except ValueError:
        return False


def host_name(header: str) -> str | None:
    """The host a ``Host`` header names, lower case, without port or brackets (None if malformed)."""
    text = header.strip().lower()
    if text.startswith("["):
        end = text.find("]")
        rest = text[end + 1 :] if end >= 0 else ":x"
        name = text[1:end]
    else:
        if text.count(":") > 1:  # a bare IPv6 address is not a valid Host header
            return None
        name, colon, port = text.partition(":")
        rest = colon + port
    if rest and not (rest.startswith(":") and rest[1:].isdigit()):
        return None
    return name.rstrip(".") or None


def _normal_host(name: str) -> str:
    """A configured host name as `host_name` gives it: lower case, IPv6 without brackets."""
    return name.strip().lower().removeprefix("[").removesuffix("]").rstrip(".")


@dataclass(frozen=True)
class Access:
    """What the guard lets in.

    Attributes:
        hosts: Host names the server answers to (lower case, IPv6 without brackets).
        token: The token every request must carry, or None when none is needed.
    """

    hosts: frozenset[str]
    token: str | None = None

    @classmethod
    def of(cls, hosts: Iterable[str], token: str | None = None) -> Access:
        """The loopback names, `hosts` and `token` (an empty token means none)."""
        names = {_normal_host(h) for h in (*LOOPBACK_NAMES, *hosts)} - {""}
        return cls(frozenset(names), token or None)

    @classmethod
    def from_environment(cls) -> Access:
        """What ``brink dashboard`` set (``$BRINK_DASHBOARD_HOSTS``, ``$BRINK_DASHBOARD_TOKEN``); else loopback only."""
        try:
            hosts = json.loads(os.environ.get(HOSTS_VARIABLE) or "[]")
        except ValueError:
            hosts = []
        return cls.of([str(h) for h in hosts] if isinstance(hosts, list) else [], os.environ.get(TOKEN_VARIABLE))

    def environment(self) -> dict[str, str]:
        """The environment variables that give a server started with them this access."""
        return {HOSTS_VARIABLE: json.dumps(sorted(self.hosts)), TOKEN_VARIABLE: self.token or ""}


def same_origin(origin: str, host: str) -> bool:
    """Whether a page at `origin` (``http://127.0.0.1:8765``) is on the server its ``Host`` header names."""
    try:
        parts = urlsplit(origin.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            return False
        default = 443 if parts.scheme == "https" else 80
        origin_port = parts.port or default
        wanted = urlsplit(f"{parts.scheme}://{host.strip()}")
        return parts.hostname == wanted.hostname and origin_port == (wanted.port or default)
    except ValueError:
        return False


def _headers(scope: Scope) -> dict[str, str]:
    """The request's headers by lower-case name (the first of repeated ones)."""
    found: dict[str, str] = {}
    for key, value in scope.get("headers", []):
        found.setdefault(key.decode("latin-1").lower(), value.decode("latin-1"))
    return found


def _cookies(header: str) -> dict[str, str]:
    """A ``Cookie`` header's name-value pairs."""
    pairs = (item.strip().partition("=") for item in header.split(";"))
    return {name: value for name, _, value in pairs if name}


def cookie_name(scope: Scope) -> str:
    """The token cookie's name on the port this request came in on."""
    server = scope.get("server") or ("", 0)
    return f"{COOKIE_PREFIX}{server[1] if len(server) > 1 else 0}"


def _matches(presented: str | None, token: str) -> bool:
    return presented is not None and hmac.compare_digest(presented.encode(), token.encode())


def refusal(access: Access, scope: Scope) -> str | None:
    """Why the guard refuses this HTTP request or WebSocket (one line), or None to let it through."""
    headers = _headers(scope)
    host = headers.get("host", "")
    if host_name(host) not in access.hosts:
        return BAD_HOST
    origin = headers.get("origin")
    # A browser sends Origin with every WebSocket; a request that changes something is checked when it has one.
    checked = scope["type"] == "websocket" or (origin is not None and scope.get("method", "GET") not in SAFE_METHODS)
    if checked and (origin is None or not same_origin(origin, host)):
        return BAD_ORIGIN
    if access.token is None:
        return None
    scheme, _, presented = headers.get("authorization", "").partition(" ")
    if scheme.lower() == "token" and _matches(presented.strip(), access.token):
        return None
    if _matches(_cookies(headers.get("cookie", "")).get(cookie_name(scope)), access.token):
        return None
    query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
    if _matches(query.get(TOKEN_PARAMETER), access.token):
        return None
    return NEEDS_TOKEN


def _without(query: bytes, names: Iterable[str]) -> bytes:
    """A query string without the parameters `names`."""
    kept = [(k, v) for k, v in parse_qsl(query.decode("latin-1"), keep_blank_values=True) if k not in names]
    return urlencode(kept).encode("latin-1")


class Guard:
    """ASGI middleware: refuses what `refusal` refuses, hands out the token's cookie, hides host details.

    Args:
        app: The application behind it (Solara's Starlette app).
        access: Host names and token.
    """

    def __init__(self, app: ASGIApp, access: Access) -> None:
        self.app = app
        self.access = access

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check the request, then pass it on (or answer it here)."""
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        problem = refusal(self.access, scope)
        if problem is not None:
            await _refuse(scope, send, problem)
            return
        query = scope.get("query_string", b"")
        token_in_query = TOKEN_PARAMETER in dict(parse_qsl(query.decode("latin-1")))
        page = scope["type"] == "http" and scope.get("method") == "GET"
        if self.access.token is not None and page and token_in_query:
            await _redirect_with_cookie(scope, send, self.access.token)
            return
        hidden = HIDDEN_QUERIES.get(scope.get("path", ""))
        if hidden:
            scope = {**scope, "query_string": _without(query, hidden)}
        await self.app(scope, receive, send)


async def _refuse(scope: Scope, send: Send, problem: str) -> None:
    """Answer 403 with the one-line reason; a WebSocket is closed before it is accepted (the client sees a 403)."""
    if scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 1008})
        return
    body = (problem + "\n").encode("utf-8")
    headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 403, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _redirect_with_cookie(scope: Scope, send: Send, token: str) -> None:
    """Set the token's cookie and send the browser to the same address without the token in it."""
    rest = _without(scope.get("query_string", b""), (TOKEN_PARAMETER,)).decode("latin-1")
    location = (scope.get("root_path", "") + scope.get("path", "/")) + (f"?{rest}" if rest else "")
    cookie = f"{cookie_name(scope)}={token}; Path=/; HttpOnly; SameSite=Strict"
    headers = [
        (b"location", location.encode("latin-1")),
        (b"set-cookie", cookie.encode("latin-1")),
        (b"cache-control", b"no-store"),
        (b"content-length", b"0"),
    ]
    await send({"type": "http.response.start", "status": 303, "headers": headers})
    await send({"type": "http.response.body", "body": b""})
