"""The web server's own guards, around everything Streamlit serves.

`app.py` hands these to `st.App`, Streamlit's supported way to add ASGI
middleware:

- security headers on every response, so no other site can frame the
  cockpit (clickjacking) and browsers do not guess content types;
- uploads only for analysts: Streamlit's upload endpoint checks the XSRF
  token, not the role, so any viewer could fill the server's memory with
  files. A session becomes an analyst session when the analyst gate lets it
  in (`register`), and stops being one when it leaves or locks; the endpoint
  answers 403 for every other session before a byte is read.
"""

from __future__ import annotations

import threading
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.middleware import Middleware

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

UPLOAD_ROUTE = "/_stcore/upload_file/"
HEADERS = {
    b"x-frame-options": b"DENY",
    b"content-security-policy": b"frame-ancestors 'none'; object-src 'none'; base-uri 'self'",
    b"x-content-type-options": b"nosniff",
    b"referrer-policy": b"same-origin",
}
REFUSED = b"Uploads are for analysts: unlock analyst access on the Upload page first."

_analysts: set[str] = set()
_lock = threading.Lock()


def register(session_id: str, analyst: bool) -> None:
    """Record whether this session may upload, as the analyst gate decided just now."""
    with _lock:
        if analyst:
            _analysts.add(session_id)
        else:
            _analysts.discard(session_id)


def may_upload(session_id: str) -> bool:
    with _lock:
        return session_id in _analysts


def _upload_session(scope: Scope) -> str | None:
    """The session an upload request names (`.../upload_file/<session>/<file>`), if it is one."""
    path = str(scope.get("path", ""))
    at = path.find(UPLOAD_ROUTE)
    if at < 0 or scope.get("method") not in ("PUT", "POST"):
        return None
    return path[at + len(UPLOAD_ROUTE) :].split("/", 1)[0]


class Guard:
    """ASGI middleware: security headers, and the upload endpoint closed to non-analysts."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        session = _upload_session(scope)
        if session is not None and not may_upload(session):
            await _respond(send, 403, REFUSED)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in HEADERS.items() if k not in present]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, with_headers)


async def _respond(send: Send, status: int, body: bytes) -> None:
    headers = [(b"content-type", b"text/plain; charset=utf-8"), *HEADERS.items()]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


MIDDLEWARE = [Middleware(Guard)]
