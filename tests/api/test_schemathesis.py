"""Property-based run of the whole OpenAPI document: no server error, no response outside its schema.

Schemathesis generates the requests and judges the responses; the requests go through FastAPI's
TestClient (httpx), because schemathesis' own requests transport breaks on the urllib3-future
package another dependency installs in place of urllib3.
"""

from __future__ import annotations

import json
from typing import Any

import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from kithkin.api.app import create_app
from kithkin.workspace import Workspace

EXAMPLES_PER_OPERATION = 25
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def send(client: TestClient, request: dict[str, Any]):
    """A requests-style request (what schemathesis serialises) sent with httpx."""
    request = dict(request)
    data = request.pop("data", None)
    if data is not None:
        request["content" if isinstance(data, bytes | str) else "data"] = data
    if request.get("files"):
        # Multipart fields generated as numbers or objects travel as their JSON text.
        request["files"] = [
            (name, (filename, value if isinstance(value, bytes | str) else json.dumps(value), *rest))
            for name, (filename, value, *rest) in request["files"]
        ]
    if not request.get("cookies"):
        request.pop("cookies", None)
    return client.request(**request)


def test_every_operation_keeps_its_promises(filled: Workspace):
    app = create_app(workspace=filled)
    client = TestClient(app)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures = {}
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, suppress_health_check=list(HealthCheck))
        def check(case: schemathesis.Case) -> None:
            response = send(client, case.as_transport_kwargs(base_url="http://testserver"))
            case.validate_response(response, checks=CHECKS)

        try:
            check()
        except Exception as exc:  # gather every operation's failure, not only the first
            failures[operation.label] = str(exc)[:2000]
    app.state.jobs.wait(30)
    assert failures == {}
