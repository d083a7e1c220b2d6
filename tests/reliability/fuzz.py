"""Schemathesis over the live server's OpenAPI schema, with a fixed seed and a bounded number of examples.

Shared by `test_schema_fuzz.py` and `bench/bench_reliability.py`. (`schemathesis.pytest.from_fixture` does not
work with pytest 9, so each operation's Hypothesis strategy is driven by hand.)
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import Any

import httpx
import schemathesis
from hypothesis import HealthCheck, given, seed, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

__all__ = ["INEXPRESSIBLE", "FuzzReport", "fuzz", "has_stack_trace", "judge"]

SEED = 15
# A schema-valid request may still be refused where OpenAPI cannot say what is valid: the bytes of an
# uploaded file, and rules between parameters. Only these error codes may answer one; any other 4xx to a
# schema-valid request means the schema is looser than validation (schemathesis ST202).
INEXPRESSIBLE: dict[str, set[str]] = {
    "POST /v1/xliff": {"invalid_xliff", "too_many_units"},  # the file's bytes
    "POST /v1/jobs": {"invalid_xliff", "invalid_jsonl", "callbacks_unavailable"},  # and the server's settings
    "PUT /v1/glossaries/{glossary_id}": {"invalid_request", "invalid_resource"},  # `filename` or `format`
    "PUT /v1/styleguides/{styleguide_id}": {"invalid_request", "invalid_resource"},
    "GET /v1/glossaries": {"invalid_request"},  # both languages or neither
    "GET /v1/styleguides": {"invalid_request"},
    "POST /v2/translate": {"bad_request"},  # `formality` only for targets with a formal address
    "POST /v2/glossaries": {"invalid_resource"},  # the entries' TSV/CSV
}
ACCEPTED = {401, 403, 404, 409, 413, 429}  # answers about state or limits, not about the request's shape


def has_stack_trace(text: str) -> bool:
    return "Traceback (most recent call last)" in text or 'File "/' in text


@dataclass
class FuzzReport:
    calls: int = 0
    deliberate_503: int = 0
    server_errors: list[str] = field(default_factory=list)
    traces: list[str] = field(default_factory=list)
    no_envelope: list[str] = field(default_factory=list)
    rejected_valid: list[str] = field(default_factory=list)  # ST202

    @property
    def failures(self) -> list[str]:
        return self.server_errors + self.traces + self.no_envelope + self.rejected_valid


def _error_code(response: httpx.Response) -> str | None:
    try:
        body = response.json()
    except ValueError:
        return None
    error = body.get("error") if isinstance(body, dict) else None
    return error.get("code") if isinstance(error, dict) else None


def judge(report: FuzzReport, name: str, mode: GenerationMode, response: httpx.Response) -> None:
    """File one answer under what is wrong with it, if anything."""
    report.calls += 1
    status, where = response.status_code, f"{name} ({mode.value}): {response.status_code}"
    if has_stack_trace(response.text):
        report.traces.append(f"{where} {response.text[:300]}")
    if status == 503 and _error_code(response) == "unavailable":
        report.deliberate_503 += 1  # DeepL's answer when no trustworthy translation could be produced
    elif status >= 500:
        report.server_errors.append(f"{where} {response.text[:300]}")
    elif status >= 400:
        code = _error_code(response)
        if code is None:
            report.no_envelope.append(f"{where} {response.text[:300]}")
        elif (
            mode is GenerationMode.POSITIVE
            and status not in ACCEPTED
            and code not in INEXPRESSIBLE.get(name, ())
        ):
            report.rejected_valid.append(f"{where} {response.text[:300]}")


def _fuzz_operation(
    report: FuzzReport, operation: Any, mode: GenerationMode, base_url: str, key: str, examples: int
) -> None:
    name = f"{operation.method.upper()} {operation.path}"
    headers = {"Authorization": f"Bearer {key}"}

    @seed(SEED)
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def run(case: schemathesis.Case) -> None:
        judge(report, name, mode, case.call(base_url=base_url, headers=headers, timeout=30))

    with contextlib.suppress(Unsatisfiable):  # no parameters to break (GET /healthz): no negative case
        run()


def fuzz(base_url: str, key: str, examples: int) -> FuzzReport:
    """Positive and negative cases for every operation, `examples` of each; what went wrong, by kind."""
    report = FuzzReport()
    schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json")
    for result in schema.get_all_operations():
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _fuzz_operation(report, result.ok(), mode, base_url, key, examples)  # type: ignore[union-attr]
    return report
