"""Schemathesis over the OpenAPI schema against the live server (moved here from tests/server): no generated
request, valid or not, gets a 5xx, a stack trace or a body outside the error envelope, and a request the
schema allows is never refused for its shape (the schema is as strict as validation)."""

from __future__ import annotations

import pytest

from tests.reliability.fuzz import fuzz
from tests.server.conftest import KEY_A, LiveServer

pytestmark = pytest.mark.slow
EXAMPLES = 25  # per operation and mode: ~27 operations x 2 x 25, about a minute on 2 cores


def test_no_generated_request_causes_a_server_error_or_a_loose_schema(api: LiveServer) -> None:
    report = fuzz(api.base_url, KEY_A, EXAMPLES)
    assert not report.failures, "\n".join(report.failures[:10])
    assert report.calls >= 27 * EXAMPLES  # Hypothesis really generated requests
