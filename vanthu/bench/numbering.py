"""`numbering`: several OS processes issuing into ONE register at once (default 4 × 250).

Each worker is a spawned process that sets Django up on the benchmark database and waits at a
barrier; then all issue their share of approved drafts (1–2 recipients each) of the same
organisation and document type through `issue_document`. The rate is issuances per second of
wall time from the barrier to the last worker's end. Afterwards the numbers are read back:
`gapless` is true only if, sorted, they are exactly 1..N, `unique` only if none repeats.

The baseline does the same with the bare engine (`bare.issue`: UPDATE … RETURNING on the counter
and the same rows, in one transaction) from the same number of processes, into a second register.
The two take turns in four phases (VanThu, bare, bare, VanThu: half of each side's documents per
phase), so that a busy moment of the machine weighs on both; each rate is the documents issued
over the wall time of its own phases.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import threading
import time
import traceback
from typing import Any

from django.db import connection, connections

from vanthu.accounts.models import User
from vanthu.documents.actions import issue_document
from vanthu.documents.models import Delivery, DocStatus, Document
from vanthu.organizations.models import Organization, Role

from . import bare, world
from .database import Raw
from .runner import Context, Result, scenario
from .spawn import entry

DOC_TYPE = "TB"


def worker(phases: list[tuple[str, list[int], int]], barrier, results) -> None:
    """One issuing process (Django already set up by `spawn.entry`).

    For each phase (mode, its share of documents, the clerk), wait at the barrier until every
    worker is ready, then issue the share; the same processes serve VanThu's phase and the
    bare engine's, so both pay the same process start-up, outside the timing.
    """
    try:
        users = {uid: User.objects.get(pk=uid) for _mode, _ids, uid in phases}
        raw = Raw()
        connection.ensure_connection()
    except Exception:
        barrier.abort()
        for mode, doc_ids, _uid in phases:
            results.put({"mode": mode, "start": None, "end": None, "ok": 0, "errors": len(doc_ids), "messages": [traceback.format_exc()]})
        return
    for mode, doc_ids, uid in phases:
        user = users[uid]
        errors: list[str] = []
        ok = 0
        try:
            barrier.wait(timeout=300)
        except threading.BrokenBarrierError:
            results.put({"mode": mode, "start": None, "end": None, "ok": 0, "errors": len(doc_ids), "messages": ["another worker failed"]})
            continue
        start = time.monotonic()
        for doc_id in doc_ids:
            try:
                if mode.startswith("bare"):
                    bare.issue(raw, doc_id, user_id=user.id, username=user.username)
                else:
                    user.__dict__.pop("_vanthu_roles", None)  # a new request starts without cached roles
                    issue_document(Document(pk=doc_id), user=user)
                ok += 1
            except Exception as exc:  # counted and reported, never hidden
                errors.append(f"{type(exc).__name__}: {exc}")
        end = time.monotonic()
        results.put({"mode": mode, "start": start, "end": end, "ok": ok, "errors": len(errors), "messages": errors[:5]})


def _wall(outcomes: list[dict[str, Any]]) -> float:
    """From the first worker's start to the last one's end, of one phase."""
    starts = [o["start"] for o in outcomes if o["start"] is not None]
    ends = [o["end"] for o in outcomes if o["end"] is not None]
    return (max(ends) - min(starts)) if starts and ends else 0.0


def _summarise(phases: list[list[dict[str, Any]]]) -> dict[str, Any]:
    outcomes = [o for phase in phases for o in phase]
    ok = sum(o["ok"] for o in outcomes)
    wall = sum(_wall(phase) for phase in phases)
    return {
        "ok": ok, "errors": sum(o["errors"] for o in outcomes), "wall_s": wall,
        "rate": ok / wall if wall else 0.0,
        "messages": [m for o in outcomes for m in o["messages"]][:5],
    }


def _run_phases(ctx: Context, phases: list[tuple[str, list[int], int]], processes: int) -> dict[str, dict[str, Any]]:
    """Run each phase on the same `processes` workers, one after the other; summary per mode."""
    phases = [(f"{mode}#{k}", ids, uid) for k, (mode, ids, uid) in enumerate(phases)]
    spawn = mp.get_context("spawn")
    barrier = spawn.Barrier(processes)
    results = spawn.Queue()
    procs = [
        spawn.Process(target=entry, args=(
            ctx.db, f"{__name__}.worker",
            [(mode, ids[i::processes], uid) for mode, ids, uid in phases], barrier, results,
        ))
        for i in range(processes)
    ]
    for p in procs:
        p.start()
    outcomes = [results.get(timeout=1800) for _ in range(processes * len(phases))]
    for p in procs:
        p.join(timeout=60)
    modes = {key.split("#")[0] for key, _ids, _uid in phases}
    return {mode: _summarise([[o for o in outcomes if o["mode"] == key] for key, _ids, _uid in phases if key.startswith(f"{mode}#")])
            for mode in modes}


def _check(org_id: int, doc_ids: list[int], expected_deliveries: int) -> dict[str, Any]:
    """Read the numbers back: gapless means exactly 1..N, unique means no number twice."""
    numbers = list(Document.objects.filter(issuer_id=org_id, number__isnull=False).values_list("number", flat=True))
    issued = Document.objects.filter(id__in=doc_ids, status=DocStatus.ISSUED).count()
    deliveries = Delivery.objects.filter(document_id__in=doc_ids).count()
    return {
        "issued": issued,
        "numbers_read": len(numbers),
        "gapless": sorted(numbers) == list(range(1, len(doc_ids) + 1)),
        "unique": len(numbers) == len(set(numbers)),
        "deliveries_complete": deliveries == expected_deliveries,
    }


@scenario("numbering", default_scale=1000, tiny=40, small=200,
          help="N issuances into one register from 4 processes at once (issuances per second)")
def run_numbering(ctx: Context) -> Result:
    processes = int(ctx.option("processes", 4))
    total = max(ctx.scale, processes)
    tag = world.run_tag()
    ctx.say(f"preparing two registers with {total} approved drafts each …")
    ours = world.make_issuer(tag, "NUM")
    theirs = world.make_issuer(tag, "NUMBARE")
    r_ours = [o.id for o in world.make_orgs(tag, "NUMDEST", 2, parent=ours.org)]
    r_theirs = [o.id for o in world.make_orgs(tag, "NUMBAREDEST", 2, parent=theirs.org)]
    for org in Organization.objects.filter(id__in=r_ours + r_theirs):  # each has its clerk, told of each arrival
        world.make_person(org, tag, Role.CLERK)
    # One or two recipients per document, alternately.
    lists_ours = [r_ours[: 1 + i % 2] for i in range(total)]
    lists_theirs = [r_theirs[: 1 + i % 2] for i in range(total)]
    expected = sum(len(x) for x in lists_ours)
    ids_ours = world.approved_documents(ours, lists_ours, doc_type=DOC_TYPE)
    ids_theirs = world.approved_documents(theirs, lists_theirs, doc_type=DOC_TYPE)

    connections.close_all()  # the workers own the database now
    ctx.say(f"{processes} processes issuing {total} documents through VanThu and {total} with bare SQL, taking turns …")
    half_o, half_t = len(ids_ours) // 2, len(ids_theirs) // 2
    phases = _run_phases(ctx, [("vanthu", ids_ours[:half_o], ours.clerk.id), ("bare", ids_theirs[:half_t], theirs.clerk.id),
                               ("bare", ids_theirs[half_t:], theirs.clerk.id), ("vanthu", ids_ours[half_o:], ours.clerk.id)],
                         processes)
    vt, bs = phases["vanthu"], phases["bare"]

    vt_check = _check(ours.org.id, ids_ours, expected)
    bs_check = _check(theirs.org.id, ids_theirs, expected)
    ok = vt["errors"] == 0 and vt_check["gapless"] and vt_check["unique"] and vt_check["deliveries_complete"]
    details = {
        "processes": processes, "issuances": total, "samples": vt["ok"], "baseline_samples": bs["ok"],
        "gapless": vt_check["gapless"], "unique": vt_check["unique"], "errors": vt["errors"],
        "issued": vt_check["issued"], "deliveries_complete": vt_check["deliveries_complete"],
        "wall_s": round(vt["wall_s"], 3), "error_samples": vt["messages"],
        "baseline_gapless": bs_check["gapless"], "baseline_unique": bs_check["unique"],
        "baseline_errors": bs["errors"], "baseline_wall_s": round(bs["wall_s"], 3),
        "baseline_omits": list(bare.NOT_IN_BASELINE),
        "load_average": round(os.getloadavg()[0], 1),
        "ok": ok,
    }
    return Result(
        scenario="numbering", metric="concurrent issuances into one register", unit="issuances/s",
        value=vt["rate"], baseline=bs["rate"], details=details, higher_is_better=True,
        summary=[
            f"{processes} processes × {total // processes} issuances into one register:",
            f"  VanThu   {vt['rate']:.1f}/s, {vt['errors']} errors, gapless {vt_check['gapless']}, unique {vt_check['unique']}",
            f"  bare SQL {bs['rate']:.1f}/s, {bs['errors']} errors, gapless {bs_check['gapless']}, unique {bs_check['unique']}",
        ],
    )
