"""`issue`: one document issued to N recipient organisations (default 150).

Measures `issue_document` alone (numbering, N deliveries, N events, the statistics' journal row,
the queued tasks, a notice to each recipient's clerk, the audit entry) on approved drafts prepared beforehand, and reports beside it what folding the
journal into the statistics costs the worker afterwards; the baseline issues other drafts of the same register with the bare
engine (`bare.issue`). The two alternate, so that a noisy moment hits both.
"""

from __future__ import annotations

import os
import time

from vanthu.documents.actions import issue_document
from vanthu.documents.models import Delivery, DeliveryEvent, DocStatus, Document
from vanthu.notifications.models import Notification
from vanthu.organizations.models import Role
from vanthu.reports import aggregates

from . import bare, world
from .database import Raw
from .runner import Context, Result, median, ms, percentile, scenario

WARMUP = 3


def _load() -> float | None:
    try:
        return round(os.getloadavg()[0], 1)
    except OSError:
        return None


@scenario("issue", default_scale=150, tiny=5, small=50, help="issue one document to N recipients (median ms per issuance)")
def run_issue(ctx: Context) -> Result:
    n_recipients = ctx.scale
    reps = ctx.repeat or ctx.sized(tiny=3, small=10, default=30)
    tag = world.run_tag()
    ctx.say(f"preparing an issuer, {n_recipients} recipients and {2 * (reps + WARMUP)} approved drafts …")
    issuer = world.make_issuer(tag, "ISSUE")
    recipient_orgs = world.make_orgs(tag, "ISSUEDEST", n_recipients, parent=issuer.org)
    for org in recipient_orgs:  # each has its clerk, who is told of the arrival
        world.make_person(org, tag, Role.CLERK)
    recipients = [o.id for o in recipient_orgs]
    doc_ids = world.approved_documents(issuer, [recipients] * (2 * (reps + WARMUP)), doc_type="CV")
    ours, theirs = doc_ids[0::2], doc_ids[1::2]
    raw = Raw()
    clerk = issuer.clerk

    orm_times: list[float] = []
    bare_times: list[float] = []
    # This process's CPU time too: on a busy machine wall time includes waiting for a core;
    # CPU time does not (on SQLite it is all the work; on PostgreSQL the server's share is not in it).
    orm_cpu: list[float] = []
    bare_cpu: list[float] = []
    ctx.say(f"issuing {reps} documents through VanThu and {reps} with bare SQL, alternately …")
    for i, (a, b) in enumerate(zip(ours, theirs, strict=True)):
        clerk.__dict__.pop("_vanthu_roles", None)  # a new request starts without cached roles
        doc = Document(pk=a)
        c0, t0 = time.process_time(), time.perf_counter()
        issue_document(doc, user=clerk)
        c1, t1 = time.process_time(), time.perf_counter()
        bare.issue(raw, b, user_id=clerk.id, username=clerk.username)
        c2, t2 = time.process_time(), time.perf_counter()
        if i >= WARMUP:
            orm_times.append(t1 - t0)
            bare_times.append(t2 - t1)
            orm_cpu.append(c1 - c0)
            bare_cpu.append(c2 - c1)

    # The statistics VanThu journaled, folded in as its worker does: off the issuing path, but paid.
    f0 = time.perf_counter()
    folded = aggregates.fold_pending()
    fold_ms = (time.perf_counter() - f0) * 1000 / max(1, len(ours))

    # Check the work was really done, both ways: every document issued, every row there.
    issued = Document.objects.filter(id__in=doc_ids, status=DocStatus.ISSUED).count()
    deliveries = Delivery.objects.filter(document_id__in=doc_ids).count()
    events = DeliveryEvent.objects.filter(delivery__document_id__in=doc_ids).count()
    told = Notification.objects.filter(notice__object_type="documents.document",
                                       notice__object_id__in=[str(i) for i in doc_ids]).count()
    numbers = sorted(Document.objects.filter(id__in=doc_ids).values_list("number", flat=True))
    expected_rows = len(doc_ids) * n_recipients
    checks = {
        "all_issued": issued == len(doc_ids),
        "deliveries_complete": deliveries == expected_rows,
        "events_complete": events == expected_rows,
        "clerks_told": told == expected_rows,
        "gapless": numbers == list(range(1, len(doc_ids) + 1)),
    }
    value, base = median(orm_times) * 1000, median(bare_times) * 1000
    details = {
        "recipients": n_recipients, "repetitions": reps, "samples": len(orm_times), "baseline_samples": len(bare_times),
        "p95_ms": ms(percentile(orm_times, 95)), "min_ms": ms(min(orm_times)),
        "baseline_p95_ms": ms(percentile(bare_times, 95)), "baseline_min_ms": ms(min(bare_times)),
        "cpu_median_ms": ms(median(orm_cpu)), "baseline_cpu_median_ms": ms(median(bare_cpu)),
        # What the worker pays later per issuance to fold the statistics in (the bare side keeps none).
        "statistics_fold_ms_per_issue": round(fold_ms, 3), "statistics_entries_folded": folded,
        "load_average": _load(), "baseline_omits": list(bare.NOT_IN_BASELINE),
        **checks, "ok": all(checks.values()),
    }
    return Result(
        scenario="issue", metric="issue_document median", unit="ms", value=value, baseline=base,
        details=details,
        summary=[
            f"issue_document to {n_recipients} recipients, {reps} repetitions:",
            f"  VanThu   median {value:.1f} ms, p95 {details['p95_ms']:.1f} ms",
            f"  bare SQL median {base:.1f} ms, p95 {details['baseline_p95_ms']:.1f} ms",
            f"  checks: {', '.join(k for k, v in checks.items() if v) or 'none'} passed",
        ],
    )
