"""Operations endpoints: `/healthz` (the process answers), `/readyz` (it can do its work: the
database, the file storage and the task queue answer) and `/metrics` (Prometheus).

A load balancer takes a server out of rotation while /readyz answers 503, and keeps it while
/healthz answers: a database outage makes every server unready, not dead (restarting them would
not help). /metrics is for the monitoring system only: with VANTHU_METRICS_TOKEN set it needs
`Authorization: Bearer <token>`; without, only a direct client on the loopback (no proxy in
between) may read it; anyone else gets 404, as for any address that does not exist.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import time
from collections.abc import Callable, Iterator

from django.conf import settings
from django.db import connection
from django.db.models import Count, Min
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from vanthu.documents import storage
from vanthu.documents.models import Delivery, StatusCode
from vanthu.exchange.models import OutboxMessage, OutboxState
from vanthu.notifications.models import MailMessage, MailState
from vanthu.security import metrics

from .queues import queue_ready, queue_stats

log = logging.getLogger(__name__)


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """The process is up and reaches its database (the stable answer ARCHITECTURE.md names)."""
    with connection.cursor() as cur:
        cur.execute("SELECT 1")
    return JsonResponse({"status": "ok", "database": connection.vendor})


def _database() -> None:
    with connection.cursor() as cur:
        cur.execute("SELECT 1")


CHECKS: dict[str, Callable[[], None]] = {
    "database": _database,
    "storage": lambda: storage.check_ready(),
    "queue": lambda: queue_ready(),
}


@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """200 when every part this server needs answers, else 503 naming the parts that do not."""
    results: dict[str, dict] = {}
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            check()
        except Exception as exc:  # any failure means "not ready"; the log has the detail
            log.warning("readiness check %s failed: %s", name, exc)
            results[name] = {"status": "error", "error": type(exc).__name__}
        else:
            results[name] = {"status": "ok"}
        results[name]["seconds"] = round(time.perf_counter() - started, 4)
    ok = all(r["status"] == "ok" for r in results.values())
    return JsonResponse({"status": "ok" if ok else "unavailable", "checks": results}, status=200 if ok else 503)


class DatabaseCollector(Collector):
    """Figures kept in the database, read at scrape time: the same from every server, so a
    dashboard takes their max over the servers, not their sum."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        now = timezone.now()
        depth = GaugeMetricFamily("vanthu_queue_depth", "Tasks waiting in the queue, by queue.", labels=["queue"])
        age = GaugeMetricFamily("vanthu_queue_oldest_age_seconds", "Age of the oldest task ready to run, by queue.",
                                labels=["queue"])
        for queue, (count, oldest) in queue_stats().items():
            depth.add_metric([queue], count)
            age.add_metric([queue], max(0.0, (now - oldest).total_seconds()) if oldest else 0.0)
        yield depth
        yield age

        outbox = GaugeMetricFamily("vanthu_exchange_outbox_pending", "Messages waiting to be sent, by peer.",
                                   labels=["peer"])
        outbox_age = GaugeMetricFamily("vanthu_exchange_outbox_oldest_age_seconds",
                                       "Age of the oldest message waiting to be sent, by peer.", labels=["peer"])
        rows = (OutboxMessage.objects.filter(state=OutboxState.PENDING).values("peer__site_id")
                .annotate(n=Count("id"), oldest=Min("created_at")).order_by())
        for row in rows:
            outbox.add_metric([row["peer__site_id"]], row["n"])
            outbox_age.add_metric([row["peer__site_id"]], max(0.0, (now - row["oldest"]).total_seconds()))
        yield outbox
        yield outbox_age

        failed = GaugeMetricFamily("vanthu_failed_deliveries", "Deliveries that could not be made, by channel.",
                                   labels=["channel"])
        failed.add_metric(["exchange"], Delivery.objects.filter(status_code=StatusCode.SEND_FAILED).count())
        failed.add_metric(["mail"], MailMessage.objects.filter(state=MailState.FAILED).count())
        yield failed


def _metrics_allowed(request: HttpRequest) -> bool:
    token = settings.VANTHU_METRICS_TOKEN
    if token:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        return hmac.compare_digest(given.encode(), token.encode())
    if "X-Forwarded-For" in request.headers or "X-Real-IP" in request.headers:
        return False  # through a proxy: the loopback address is the proxy's, not the scraper's
    try:
        return ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")).is_loopback
    except ValueError:
        return False


@never_cache
def metrics_view(request: HttpRequest) -> HttpResponse:
    """Prometheus's text format: this host's server processes added up, and the database's figures."""
    if not _metrics_allowed(request):
        return HttpResponse("Not Found", status=404, content_type="text/plain")
    registry = metrics.registry()
    body = generate_latest(registry)
    body += generate_latest(_DatabaseOnly())
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)


class _DatabaseOnly:
    """A registry-like object holding the database collector alone (generate_latest needs collect())."""

    def collect(self):
        return DatabaseCollector().collect()
