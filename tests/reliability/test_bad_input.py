"""Every bad-input case of `cases.py` over real HTTP: a 4xx in the error envelope, never a 5xx or a trace."""

from __future__ import annotations

import httpx
import pytest

from tests.reliability.cases import CASES, BadCase

TRACE_MARKERS = ("Traceback", 'File "', "RecursionError", "line ", "Error:")


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input_is_a_4xx_in_the_envelope(client: httpx.Client, case: BadCase) -> None:
    response = client.request(case.method, case.path, **case.kwargs)
    assert response.status_code in case.status, (response.status_code, response.text[:500])
    error = response.json()["error"]
    assert error["code"] and error["message"]
    assert case.message_has in error["message"], error["message"]
    assert "Traceback" not in response.text and 'File "/' not in response.text


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("PATCH", "/v1/jobs", {"GET", "POST"}),
        ("POST", "/v1/glossaries/ui-de", {"GET", "PUT", "DELETE"}),
        ("DELETE", "/v1/postedit", {"POST"}),
        ("PUT", "/v2/glossaries", {"GET", "POST"}),
    ],
)
def test_405_names_every_method_the_path_takes(
    client: httpx.Client, method: str, path: str, allow: set[str]
) -> None:
    response = client.request(method, path)
    assert response.status_code == 405
    assert {m.strip() for m in response.headers["allow"].split(",")} == allow
    assert response.json()["error"]["code"] == "method_not_allowed"
