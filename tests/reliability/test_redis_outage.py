"""Redis as a dependency with defined failure modes: killed for 10 s under a job and live traffic, nothing is
lost or repeated and no request gets a 500; wrong keys are throttled; production without keys never starts.

The outage uses a private redis-server (AOF, a free port) that the test starts and kills by PID; the shared
Redis on 6379 only serves the small tests.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from pydantic import ValidationError

from server.auth import fingerprint
from server.settings import Settings
from tests.server.conftest import make_settings, running
from tests.support.redis_outage import OutageFigures, run_outage

SEGMENTS = 300


@pytest.fixture(scope="module")
def outage(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OutageFigures]:
    yield run_outage(tmp_path_factory.mktemp("redis-aof"), segments=SEGMENTS, outage=10.0)


@pytest.mark.slow
def test_a_job_survives_redis_killed_for_ten_seconds_without_losing_or_repeating_a_segment(
    outage: OutageFigures,
) -> None:
    assert outage.outage_seconds >= 10
    assert outage.job_state == "done", "the job did not finish by itself after Redis came back"
    assert outage.worker_alive, "the worker exited instead of reconnecting"
    assert outage.lost == 0 and outage.duplicated == 0
    assert outage.result_ids == [f"r{i}" for i in range(SEGMENTS)]  # every segment once, in order


@pytest.mark.slow
def test_during_the_outage_requests_get_200_or_503_never_500_nor_a_dropped_connection(
    outage: OutageFigures,
) -> None:
    assert sum(outage.statuses.values()) > 50
    assert set(outage.statuses) <= {200, 503}, outage.statuses
    assert outage.transport_errors == 0  # keep-alive connections survive every answer
    assert set(outage.by_route["postedit"]) == {200}  # post-editing goes on, unmetered and uncached
    assert outage.fail_open > 0  # ... and the metric says the rate limit was not enforced
    assert set(outage.by_route["job"]) == {503} and set(outage.by_route["glossary"]) == {503}
    assert outage.retry_after_missing == 0
    assert outage.ready_during == {503} and outage.ready_after == 200


@pytest.mark.redis
def test_wrong_keys_are_throttled_per_address(redis_url: str, model_config: Path) -> None:
    settings = make_settings(redis_url, model_config, auth_failures_per_minute=5)
    with running(settings) as live, live.client("guess") as guesser, live.client() as owner:
        statuses = [guesser.get("/v1/glossaries").status_code for _ in range(8)]
        refused = guesser.get("/v1/glossaries")
        assert owner.get("/v1/glossaries").status_code == 200  # a right key is never throttled by guesses
    assert statuses[:5] == [401] * 5 and set(statuses[5:]) == {429}
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1


def test_production_without_keys_or_redis_refuses_to_start() -> None:
    with pytest.raises(ValidationError, match="production needs API keys"):
        Settings(_env_file=None, env="production", api_keys="")  # type: ignore[call-arg]


@pytest.mark.redis
@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")  # uvicorn's exit(3)
def test_production_with_redis_but_no_key_anywhere_refuses_to_start(
    redis_url: str, model_config: Path
) -> None:
    settings = make_settings(redis_url, model_config, env="production", api_keys="")
    with pytest.raises(RuntimeError, match="did not start"), running(settings):
        pass
    # A key added to the Redis hash is enough: the server starts and accepts it.
    client = redis.Redis.from_url(redis_url)
    client.hset(settings.redis_key("apikeys"), fingerprint("redis-only-key"), "tenant-r")
    with running(settings) as live, live.client("redis-only-key") as c:
        assert c.get("/v1/glossaries").status_code == 200
        assert c.get("/v1/glossaries", headers={"Authorization": "Bearer dev-key"}).status_code == 401
    client.close()
