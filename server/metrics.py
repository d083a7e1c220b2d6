"""Prometheus metrics: requests, latency, segments by status, cache hits, model tokens, queue depth."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

from agent.types import SegmentResult

__all__ = [
    "CACHE_HITS",
    "QUEUE_DEPTH",
    "REQUESTS",
    "REQUEST_LATENCY",
    "SEGMENTS",
    "SEGMENT_LATENCY",
    "TOKENS",
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


def observe_result(result: SegmentResult) -> None:
    SEGMENTS.labels(status=result.status.value).inc()
    SEGMENT_LATENCY.observe(result.latency_ms / 1000)
    if result.cached:
        CACHE_HITS.inc()
    if result.usage.prompt_tokens:
        TOKENS.labels(kind="prompt").inc(result.usage.prompt_tokens)
    if result.usage.completion_tokens:
        TOKENS.labels(kind="completion").inc(result.usage.completion_tokens)
