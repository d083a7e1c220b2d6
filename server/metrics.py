"""Prometheus metrics: requests, latency, segments by status, cache hits, model tokens, queue depth."""

from __future__ import annotations

import time

from prometheus_client import Counter, Gauge, Histogram

from agent import SegmentResult

__all__ = [
    "CACHE_HITS",
    "QUEUE_DEPTH",
    "RATE_LIMIT_FAIL_OPEN",
    "REDIS_UNAVAILABLE",
    "REQUESTS",
    "REQUEST_LATENCY",
    "SEGMENTS",
    "SEGMENT_LATENCY",
    "TOKENS",
    "LogEvery",
    "observe_result",
]

REQUESTS = Counter("postedit_http_requests_total", "HTTP requests", ["method", "route", "status"])
REQUEST_LATENCY = Histogram(
    "postedit_http_request_seconds",
    "HTTP request latency",
    ["method", "route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)
SEGMENTS = Counter("postedit_segments_total", "Segments processed, by final status", ["status"])
SEGMENT_LATENCY = Histogram(
    "postedit_segment_seconds",
    "Agent latency per segment",
    buckets=(0.001, 0.005, 0.025, 0.1, 0.5, 1, 2.5, 5, 10, 30),
)
CACHE_HITS = Counter("postedit_cache_hits_total", "Segments served from the result cache")
TOKENS = Counter("postedit_model_tokens_total", "Model tokens", ["kind"])
QUEUE_DEPTH = Gauge("postedit_queue_depth", "Jobs waiting in the queue")
REDIS_UNAVAILABLE = Counter("postedit_redis_unavailable_total", "Requests answered 503: Redis unreachable")
RATE_LIMIT_FAIL_OPEN = Counter(
    "postedit_rate_limit_fail_open_total",
    "Requests let through unmetered: the rate-limit store was unreachable",
)


def observe_result(result: SegmentResult) -> None:
    SEGMENTS.labels(status=result.status.value).inc()
    SEGMENT_LATENCY.observe(result.latency_ms / 1000)
    if result.cached:
        CACHE_HITS.inc()
    if result.usage.prompt_tokens:
        TOKENS.labels(kind="prompt").inc(result.usage.prompt_tokens)
    if result.usage.completion_tokens:
        TOKENS.labels(kind="completion").inc(result.usage.completion_tokens)


class LogEvery:
    """Lets a log line through at most once per `seconds`: an outage under load logs once per burst,
    not once per request (the counters above carry the totals)."""

    def __init__(self, seconds: float = 10.0) -> None:
        self.seconds = seconds
        self._last = float("-inf")

    def due(self) -> bool:
        now = time.monotonic()
        if now - self._last < self.seconds:
            return False
        self._last = now
        return True
