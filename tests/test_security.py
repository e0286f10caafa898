"""Security headers and CSP, closed CORS, cross-site writes refused, Host checks, and the API token."""

from __future__ import annotations

import stat

from fastapi.testclient import TestClient

from kithkin.api.app import create_app
from kithkin.api.security import load_or_create_token
from tests.helpers import at, feed, message, person


def filled(workspace) -> str:
    feed(workspace, "mail", [message("m1", at(1), person("ana@x.org", "Ana Silva", "ana@x.org"))])
    return workspace.conn.execute("SELECT id FROM people").fetchone()[0]


def test_every_response_carries_a_strict_csp(workspace):
    client = TestClient(create_app(workspace=workspace))
    for path in ("/api/crm/people", "/crm/", "/api/crm/people/nope"):
        headers = client.get(path).headers
        policy = headers["content-security-policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy
        assert "frame-ancestors 'none'" in policy
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"
        assert "access-control-allow-origin" not in headers


def test_cors_preflight_is_refused(workspace):
    client = TestClient(create_app(workspace=workspace))
    response = client.options(
        "/api/crm/people", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"}
    )
    assert response.status_code == 403
    assert "access-control-allow-origin" not in response.headers


def test_cross_site_writes_are_refused_and_same_site_writes_pass(workspace):
    person_id = filled(workspace)
    client = TestClient(create_app(workspace=workspace))
    url = f"/api/crm/people/{person_id}"
    evil = client.patch(url, json={"notes": "pwned"}, headers={"Origin": "https://evil.example"})
    assert evil.status_code == 403
    assert evil.json() == {"detail": "Cross-site requests cannot change data."}
    fetched = client.patch(url, json={"notes": "x"}, headers={"Sec-Fetch-Site": "cross-site"})
    assert fetched.status_code == 403
    ok = client.patch(url, json={"notes": "met at climbing"}, headers={"Origin": "http://testserver"})
    assert ok.status_code == 200
    assert client.get(url).json()["notes"] == "met at climbing"


def test_a_foreign_host_header_is_refused_on_loopback(workspace):
    client = TestClient(create_app(workspace=workspace))
    response = client.get("/api/crm/people", headers={"Host": "attacker.example"})
    assert response.status_code == 421


def test_beyond_loopback_every_api_request_needs_the_token(workspace):
    token = load_or_create_token(workspace.home)
    assert stat.S_IMODE((workspace.home / "api-token").stat().st_mode) == 0o600
    assert load_or_create_token(workspace.home) == token
    client = TestClient(create_app(workspace=workspace, token=token, loopback_only=False))
    assert client.get("/api/crm/people").status_code == 401
    assert client.get("/openapi.json").status_code == 401
    assert client.get("/api/crm/people", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/api/crm/people", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    # The printed link sets a strict cookie and drops the token from the address.
    opened = client.get(f"/crm/?token={token}", follow_redirects=False)
    assert opened.status_code == 303
    assert opened.headers["location"] == "/crm/"
    assert "SameSite=Strict" in opened.headers["set-cookie"] and "HttpOnly" in opened.headers["set-cookie"]
    assert client.get("/api/crm/people").status_code == 200  # the client now holds the cookie


def test_any_bad_token_is_401_with_the_security_headers_even_non_ascii(workspace):
    token = load_or_create_token(workspace.home)
    client = TestClient(create_app(workspace=workspace, token=token, loopback_only=False))
    for headers in (
        {"Authorization": "Bearer é".encode()},
        {"Authorization": b"Bearer " + bytes([0xE9, 0xFF])},
        {"Authorization": f"Bearer {token}é".encode()},
        {"Cookie": "kithkin_token=é".encode()},
    ):
        refused = client.get("/api/crm/people", headers=headers)
        assert refused.status_code == 401
        assert refused.headers["x-frame-options"] == "DENY"
        assert "script-src 'self'" in refused.headers["content-security-policy"]
    link = client.get("/crm/?token=%C3%A9", follow_redirects=False)
    assert (link.status_code, link.headers["x-frame-options"]) == (200, "DENY")
    assert client.get("/api/crm/people").status_code == 401  # no cookie was set for the wrong token
