"""Schemathesis over the OpenAPI schema, against the live server: no generated request may cause a 5xx.

(`schemathesis.pytest.from_fixture` does not work with pytest 9, so each operation's Hypothesis
strategy is driven by hand.)
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.server.conftest import KEY_A, LiveServer

pytestmark = pytest.mark.slow
EXAMPLES = 25


def test_no_generated_request_causes_a_server_error(api: LiveServer) -> None:
    schema = schemathesis.openapi.from_url(f"{api.base_url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    assert len(operations) >= 15
    failures: list[str] = []
    calls: list[int] = []

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None
        )
        def run(case: schemathesis.Case) -> None:
            response = case.call(
                base_url=api.base_url, headers={"Authorization": f"Bearer {KEY_A}"}, timeout=30
            )
            calls.append(response.status_code)
            if response.status_code >= 500:
                failures.append(
                    f"{case.method} {case.formatted_path}: {response.status_code} {response.text[:300]}"
                )
            elif response.status_code >= 400 and "error" not in response.json():
                failures.append(f"{case.method} {case.formatted_path}: no error envelope")

        run()
    assert not failures, "\n".join(failures[:10])
    assert len(calls) >= 5 * len(operations)  # Hypothesis really generated requests
