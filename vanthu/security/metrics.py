"""Prometheus metrics of the web processes, right across several of them.

`vanthu serve` runs several gunicorn processes; a registry per process would answer a scrape
with whichever process took the request. So the server runs prometheus_client in multiprocess
mode: every process writes its counters and histograms to memory-mapped files in one directory
(`PROMETHEUS_MULTIPROC_DIR`, set by `vanthu serve` to `<data dir>/metrics` unless set, emptied
when the server starts), and a scrape of any process adds up all of them. Each host is scraped
on its own (`/metrics` on every server behind the proxy); the figures that live in the database
(queue depth, outbox age, failed deliveries) are read at scrape time, see vanthu/web/ops.py.

Without the variable (tests, `vanthu manage`), the metrics stay in the process's own registry.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

from django.http import HttpRequest, HttpResponse
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram
from prometheus_client import multiprocess as _multiprocess

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

# Seconds; the buckets fit a page (tens of ms) up to a large upload or export (tens of s).
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)

REQUEST_LATENCY = Histogram(
    "vanthu_http_request_duration_seconds", "Time to answer an HTTP request, by route.",
    ["method", "route", "status"], buckets=LATENCY_BUCKETS,
)
REQUESTS = Counter("vanthu_http_requests", "HTTP requests answered, by route.", ["method", "route", "status"])
# Counted where the work is done (signatures.actions.check_pdf, search.service.search).
SIGNATURE_VERIFICATIONS = Counter("vanthu_signature_verifications", "PDF signature checks, by outcome.", ["outcome"])
SEARCH_LATENCY = Histogram("vanthu_search_duration_seconds", "Time of one full-text query.", buckets=LATENCY_BUCKETS)


def multiprocess_dir() -> Path | None:
    """The shared directory when this process runs in multiprocess mode, else None."""
    found = os.environ.get(MULTIPROC_ENV, "")
    return Path(found) if found else None


def registry() -> CollectorRegistry:
    """What a scrape reads: every process's files in multiprocess mode, else this process's registry."""
    shared = multiprocess_dir()
    if shared is None:
        return REGISTRY  # the process's own, with its default collectors
    reg = CollectorRegistry()
    _multiprocess.MultiProcessCollector(reg, path=str(shared))
    return reg


def process_exited(pid: int) -> None:
    """A server process is gone: its live gauges no longer count (its counters do)."""
    if multiprocess_dir() is not None:
        _multiprocess.mark_process_dead(pid)


def route_of(request: HttpRequest) -> str:
    """The URL pattern that answered (`/api/v1/documents/<document_id>`), never the path
    itself, so that the number of series stays bounded whatever clients ask for."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unmatched"
    return "/" + (match.route or match.view_name or "unnamed")


class RequestMetricsMiddleware:
    """Latency and count of every request by method, route and status class (2xx, 4xx…)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        elapsed = time.perf_counter() - started
        labels = (request.method or "GET", route_of(request), f"{response.status_code // 100}xx")
        REQUEST_LATENCY.labels(*labels).observe(elapsed)
        REQUESTS.labels(*labels).inc()
        return response
