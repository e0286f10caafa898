"""What keeps the most private data a person has on their machine: security headers with a strict
content security policy, no CORS, cross-site writes refused, the Host checked on loopback, and a
token on every request when the server listens beyond loopback."""

from __future__ import annotations

import hmac
import ipaddress
import json
import os
import secrets
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

TOKEN_FILE = "api-token"
TOKEN_COOKIE = "kithkin_token"
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1", "[::1]", "testserver"}


def is_loopback(host: str) -> bool:
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def load_or_create_token(home: Path) -> str:
    """The API token, generated on first use and readable by the owner alone (0600)."""
    path = home / TOKEN_FILE
    if path.exists():
        token = path.read_text(encoding="utf-8").strip()
        if token:
            os.chmod(path, 0o600)
            return token
    token = secrets.token_urlsafe(32)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(token + "\n")
    return token


class SecurityMiddleware:
    """Pure ASGI (streams uploads untouched)."""

    def __init__(self, app: ASGIApp, *, token: str | None, loopback_only: bool) -> None:
        self.app = app
        self.token = token
        self.loopback_only = loopback_only

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        refusal = self._refusal(scope, headers)
        if refusal is not None:
            await _reply(send, *refusal)
            return
        query_token = parse_qs(scope.get("query_string", b"").decode()).get("token", [None])[0]
        if self.token and query_token and same_token(query_token, self.token):
            # A person opened the printed link: keep the token in a strict cookie, drop it from the URL.
            cookie = f"{TOKEN_COOKIE}={self.token}; HttpOnly; SameSite=Strict; Path=/"
            await _reply(send, 303, "", extra=[(b"location", scope["path"].encode()), (b"set-cookie", cookie.encode())])
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _refusal(self, scope: Scope, headers: dict[str, str]) -> tuple[int, str] | None:
        host = urlsplit(f"//{headers.get('host', '')}").hostname or ""
        if self.loopback_only and host not in LOOPBACK_NAMES and not is_loopback(host):
            return 421, "This server answers only to localhost."
        if scope["method"] == "OPTIONS" and "origin" in headers:
            return 403, "Cross-origin requests are not allowed."
        if scope["method"] in UNSAFE_METHODS and not _same_origin(headers):
            return 403, "Cross-site requests cannot change data."
        needs_token = bool(self.token) and not scope["path"].startswith("/crm") and scope["path"] != "/"
        if needs_token and not same_token(_presented_token(headers), self.token or ""):
            return (
                401,
                "This server needs its API token: open the link kithkin serve printed, or send it as a Bearer token.",
            )
        return None


def same_token(presented: str, token: str) -> bool:
    """Constant-time comparison as bytes: hmac.compare_digest refuses str with non-ASCII characters
    (a `Bearer é` would raise, a 500 without the security headers)."""
    return hmac.compare_digest(presented.encode("utf-8", "surrogateescape"), token.encode("utf-8", "surrogateescape"))


def _same_origin(headers: dict[str, str]) -> bool:
    """A browser marks cross-site requests (Sec-Fetch-Site, Origin); scripts and the CLI send neither."""
    site = headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        return False
    origin = headers.get("origin")
    return origin is None or urlsplit(origin).netloc == headers.get("host", "")


def _presented_token(headers: dict[str, str]) -> str:
    authorization = headers.get("authorization", "")
    if authorization.lower().startswith("bearer "):
        return authorization[7:].strip()
    cookie = SimpleCookie(headers.get("cookie", ""))
    return cookie[TOKEN_COOKIE].value if TOKEN_COOKIE in cookie else ""


async def _reply(send: Send, status: int, detail: str, extra: list[tuple[bytes, bytes]] | None = None) -> None:
    body = json.dumps({"detail": detail}).encode() if detail else b""
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        *SECURITY_HEADERS,
        *(extra or []),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
