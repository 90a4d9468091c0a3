"""`vanthu bench directives --scale N`: the leader's follow-up screen over N directives × 120 organisations.

The dataset — N directives of the benchmark Bloc, each with a task for every one of its 120
organisations (2,000 × 120 = 240,000 tasks by default), in every state, a share of them overdue —
is written with bare bulk SQL into the benchmark database (see `vanthu.bench.database`), with each
directive's figures (`task_count`, `done_count`, `open_due`) and the Bloc's figures per
organisation with their open deadlines (`OrganizationFigures`, `OpenDeadline`) as the direction
app's actions keep them, and kept for later runs of the same scale.

VanThu's side is the follow-up page itself (`/direction/`), requested as the Bloc's secretary:
the first page of directives, overdue first, with every figure of each (tasks, done, waiting
for confirmation, overdue, average progress, earliest open deadline), rendered as HTML.
`details.data_only_p95_ms` is the same without the HTTP/HTML part.

The baseline is the bare SQL aggregate of the same screen: one GROUP BY over the tasks of all
the Bloc's directives, ordered by the earliest open deadline, first page — what the screen
would run without the directive's maintained figures. The three are interleaved, as many
samples of each, and the first page's directives are checked to be the same on both sides.

The same page by organisation (`/direction/?view=organizations`: the 120 organisations, the
most overdue first, with their tasks, done, done on time, awaiting confirmation, overdue and
average progress) is timed in the same rotation against its bare SQL (one GROUP BY
organisation over the same tasks), in `details.organizations_*`; the first organisations the
page lists are checked to show the bare SQL's figures.
"""

from __future__ import annotations

import os
import random
import re
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

from django.db import connection
from django.utils import timezone

from vanthu.accounts.models import User
from vanthu.direction import followup
from vanthu.direction.models import Directive, OrganizationFigures, Task
from vanthu.organizations.models import Membership, Organization, OrgKind, Role

from . import database, world
from .runner import Context, Result, ms, percentile, scenario, timed

ORGS = 120
PAGE = 50
MARK = "BENCH.DIR"
STATES = ["assigned"] * 15 + ["in_progress"] * 35 + ["reported_done"] * 10 + ["done"] * 40


def _dataset_ready(scale: int) -> bool:
    root = Organization.objects.filter(code=f"{MARK}.ROOT").first()
    return bool(root and root.name.endswith(f"[{scale}]") and Directive.objects.filter(organization=root).count() == scale
                and OrganizationFigures.objects.filter(board=root).exists())


def _leader(root: Organization) -> User:
    user = User.objects.filter(username="bench.secretary").first()
    if user is None:
        user = User.objects.create_user(username="bench.secretary", password=None, full_name="Bí thư (benchmark)")
        Membership.objects.create(user=user, organization=root, role=Role.LEADER)
    return user


def _generate(ctx: Context, scale: int) -> dict[str, int]:
    """Directives and their tasks, inserted with bare SQL (no ORM, no actions)."""
    root = Organization.objects.create(kind=OrgKind.BLOC_COMMITTEE, name=f"Đảng ủy Khối (benchmark) [{scale}]", short_name="ĐUK",
                                       code=f"{MARK}.ROOT")
    kids = [k.id for k in Organization.objects.bulk_create([
        Organization(kind=OrgKind.GRASSROOTS_COMMITTEE, name=f"Đảng bộ cơ sở số {i:03d}", short_name="ĐU", code=f"{MARK}.{i:03d}",
                     parent=root) for i in range(1, ORGS + 1)])]
    leader = _leader(root)
    rnd = random.Random(20261207)
    raw = database.Raw()
    today = timezone.localdate()
    now = datetime.now(UTC)
    d_cols = ["id", "organization_id", "kind", "title", "content", "leader_name", "issued_on", "created_by_id", "created_at",
              "task_count", "done_count", "open_due"]
    t_cols = ["directive_id", "organization_id", "content", "due", "cycle", "state", "extended", "progress", "created_at",
              "accepted_at", "last_report_at", "reported_done_on", "done_on"]
    d_extra_cols, d_extra = database.other_columns(Directive, set(d_cols))
    t_extra_cols, t_extra = database.other_columns(Task, set(t_cols))
    d_sql = f"INSERT INTO direction_directive ({', '.join(d_cols + d_extra_cols)}) VALUES ({', '.join(['%s'] * (len(d_cols) + len(d_extra_cols)))})"
    t_sql = f"INSERT INTO direction_task ({', '.join(t_cols + t_extra_cols)}) VALUES ({', '.join(['%s'] * (len(t_cols) + len(t_extra_cols)))})"
    first = (Directive.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    ds, ts = [], []
    n_tasks = 0
    # The Bloc's figures per organisation and its open deadlines, as tallies.py keeps them.
    per_org = {org: [0, 0, 0, 0, 0] for org in kids}
    open_dues: Counter = Counter()

    def flush() -> None:
        cur = raw.cursor()
        if ds:
            raw.executemany(cur, d_sql, ds)
        if ts:
            raw.executemany(cur, t_sql, ts)
        ds.clear()
        ts.clear()

    with raw.transaction():
        for i in range(scale):
            did = first + i
            issued = today - timedelta(days=rnd.randint(0, 540))
            created = datetime.combine(issued, datetime.min.time(), tzinfo=UTC) + timedelta(hours=2)
            done = 0
            open_due = None
            for org in kids:
                due = issued + timedelta(days=rnd.randint(7, 120))
                # Old directives are mostly finished; recent ones mostly open.
                state = "done" if due < today - timedelta(days=30) and rnd.random() < 0.9 else rnd.choice(STATES)
                progress = 100 if state in ("done", "reported_done") else rnd.choice([0, 10, 30, 50, 70, 90])
                if state == "done":
                    done += 1
                elif open_due is None or due < open_due:
                    open_due = due
                finished = due - timedelta(days=rnd.randint(-5, 10))
                fig = per_org[org]
                fig[0] += 1
                fig[1] += state == "done"
                fig[2] += state == "reported_done"
                fig[3] += state == "done" and finished <= due
                fig[4] += progress
                if state != "done":
                    open_dues[(org, due)] += 1
                ts.append([did, org, f"Nhiệm vụ {did}-{org}", raw.day(due), "once", state, False, progress, raw.dt(created),
                           raw.dt(None if state == "assigned" else created + timedelta(days=1)),
                           raw.dt(None if state == "assigned" else min(now, created + timedelta(days=5))),
                           raw.day(finished if state in ("done", "reported_done") else None),
                           raw.day(finished if state == "done" else None), *t_extra])
                n_tasks += 1
            ds.append([did, root.id, "conclusion", f"Kết luận số {i + 1} của Thường trực Đảng ủy Khối", "", "", raw.day(issued),
                       leader.id, raw.dt(created), ORGS, done, raw.day(open_due), *d_extra])
            if len(ts) >= 24000:
                flush()
                ctx.say(f"  {i + 1} directives, {n_tasks} tasks")
        flush()
        cur = raw.cursor()
        raw.executemany(cur, "INSERT INTO direction_organizationfigures (board_id, organization_id, task_count, done_count, "
                        "reported_count, on_time_count, progress_sum) VALUES (%s, %s, %s, %s, %s, %s, %s)",
                        [[root.id, org, *fig] for org, fig in per_org.items()])
        raw.executemany(cur, "INSERT INTO direction_opendeadline (board_id, organization_id, due, task_count) VALUES (%s, %s, %s, %s)",
                        [[root.id, org, raw.day(due), n] for (org, due), n in sorted(open_dues.items())])
    if raw.vendor == "postgresql":
        with raw.cursor() as cur:
            cur.execute("SELECT setval(pg_get_serial_sequence('direction_directive', 'id'), (SELECT max(id) FROM direction_directive))")
            cur.execute("ANALYZE")
        raw.conn.commit()
    else:
        raw.conn.execute("ANALYZE")
    return {"directives": scale, "tasks": n_tasks, "organizations": ORGS + 1}


# The same screen straight from the tasks: per directive every figure, overdue (earliest open
# deadline) first, the first page.
BASELINE = """
    SELECT d.id, d.title, d.issued_on, count(*),
      sum(CASE WHEN t.state = 'done' THEN 1 ELSE 0 END),
      sum(CASE WHEN t.state = 'reported_done' THEN 1 ELSE 0 END),
      sum(CASE WHEN t.state <> 'done' AND t.due < %(today)s THEN 1 ELSE 0 END),
      avg(t.progress),
      min(CASE WHEN t.state <> 'done' THEN t.due END) AS open_due
    FROM direction_directive d JOIN direction_task t ON t.directive_id = d.id
    WHERE d.organization_id = %(root)s
    GROUP BY d.id, d.title, d.issued_on
    ORDER BY CASE WHEN min(CASE WHEN t.state <> 'done' THEN t.due END) IS NULL THEN 1 ELSE 0 END, open_due, d.id DESC
    LIMIT 50"""
BASELINE_COUNT = "SELECT count(*) FROM direction_directive WHERE organization_id = %(root)s"

# The page by organisation straight from the tasks: per organisation every figure, the most
# overdue first.
BASELINE_ORGS = """
    SELECT t.organization_id, count(*),
      sum(CASE WHEN t.state = 'done' THEN 1 ELSE 0 END) AS done,
      sum(CASE WHEN t.state = 'done' AND (t.reported_done_on <= t.due OR (t.reported_done_on IS NULL AND t.done_on <= t.due))
          THEN 1 ELSE 0 END),
      sum(CASE WHEN t.state = 'reported_done' THEN 1 ELSE 0 END),
      sum(CASE WHEN t.state <> 'done' AND t.due < %(today)s THEN 1 ELSE 0 END) AS overdue,
      avg(t.progress)
    FROM direction_task t
    WHERE t.directive_id IN (SELECT id FROM direction_directive WHERE organization_id = %(root)s)
    GROUP BY t.organization_id
    ORDER BY overdue DESC, 1.0 * sum(CASE WHEN t.state = 'done' THEN 1 ELSE 0 END) / count(*)"""
ORG_ROW = re.compile(rb'organization=(\d+)">[^<]*</a></td>' + rb'\s*<td[^>]*class="dr-num[^"]*">(\d+)</td>' * 5
                     + rb'\s*<td[^>]*><div class="dr-bar"[^>]*><span[^>]*></span></div> (\d+)%</td>')
CHECKED_ORGS = 5



@scenario("directives", default_scale=2_000, tiny=20, small=200, manages_database=True,
          help="the leader's follow-up screen over N directives, each with a task for 120 organisations")
def run_directives(ctx: Context) -> Result:
    db = ctx.db
    database.prepare(db)
    built: dict = {}
    if not _dataset_ready(ctx.scale):
        ctx.say(f"building the dataset (bare SQL): {ctx.scale} directives × {ORGS} organisations")
        database.prepare(db, fresh=True)
        t = time.perf_counter()
        built = _generate(ctx, ctx.scale)
        built["generate_s"] = round(time.perf_counter() - t, 1)
    root = Organization.objects.get(code=f"{MARK}.ROOT")
    leader = _leader(root)
    n = ctx.repeat or ctx.sized(tiny=3, small=15, default=40)
    client = world.browser(leader)
    pages_ok, ours_ids = [], []

    def vanthu_view() -> None:
        # secure per request: Django's Client ignores `secure` given to its constructor.
        r = client.get("/direction/", secure=True)
        pages_ok.append(r.status_code == 200 and r.content.count(b'id="directive-') == min(PAGE, ctx.scale))
        ours_ids.append([int(x) for x in re.findall(rb'id="directive-(\d+)"', r.content)])

    def vanthu_data() -> None:
        leader.__dict__.pop("_vanthu_roles", None)  # as a new request
        page = list(followup.directives(leader, followup.Filters())[:PAGE])
        figures = followup.directive_figures([d.id for d in page])
        assert len(figures) == len(page)

    raw = database.Raw()
    values = {"today": raw.day(timezone.localdate()), "root": root.id}
    queries = [(raw.sql(re.sub(r"%\((\w+)\)s", "%s", q)), [values[k] for k in re.findall(r"%\((\w+)\)s", q)])
               for q in (BASELINE, BASELINE_COUNT)]
    base_ids = []

    def baseline() -> None:
        cur = raw.cursor()
        cur.execute(*queries[0])
        rows = cur.fetchall()
        cur.execute(*queries[1])
        cur.fetchall()
        base_ids.append([r[0] for r in rows])

    org_pages: list[list[tuple[int, ...]]] = []
    org_base: list[dict[int, tuple[int, ...]]] = []

    def organizations_view() -> None:
        r = client.get("/direction/", {"view": "organizations"}, secure=True)
        rows = [tuple(int(x) for x in m) for m in ORG_ROW.findall(r.content)] if r.status_code == 200 else []
        org_pages.append(rows)

    org_query = (raw.sql(re.sub(r"%\((\w+)\)s", "%s", BASELINE_ORGS)),
                 [values[k] for k in re.findall(r"%\((\w+)\)s", BASELINE_ORGS)])

    def organizations_baseline() -> None:
        cur = raw.cursor()
        cur.execute(*org_query)
        org_base.append({r[0]: (r[1], r[2], r[3], r[4], r[5], round(float(r[6] or 0))) for r in cur.fetchall()})

    ctx.say("warming up")
    vanthu_view()
    vanthu_data()
    baseline()
    organizations_view()
    organizations_baseline()
    ctx.say(f"timing the page, its data alone, the bare SQL aggregate, the page by organisation and its bare SQL, "
            f"interleaved, {n}× each")
    sides = [(vanthu_view, [], []), (vanthu_data, [], None), (baseline, [], []), (organizations_view, [], []),
             (organizations_baseline, [], [])]
    for i in range(n):
        k = i % len(sides)
        for func, times, cpu in sides[k:] + sides[:k]:  # each takes every position in turn
            times.extend(timed(func, 1, cpu))
    ours, data_only, base = sides[0][1], sides[1][1], sides[2][1]
    orgs_view, orgs_base = sides[3][1], sides[4][1]
    # The page lists every organisation; its first ones show the bare SQL's figures.
    same_figures = all(len(rows) == ORGS and all(row[1:] == org_base[0].get(row[0]) for row in rows[:CHECKED_ORGS])
                       for rows in org_pages) and all(b == org_base[0] for b in org_base)
    p95, b95 = ms(percentile(ours, 95)), ms(percentile(base, 95))
    # The overdue ones first on both sides: the same set of directives on the first page (ties on
    # the same earliest deadline may come in another order).
    same_page = all(sorted(x) == sorted(base_ids[0]) for x in ours_ids + base_ids)
    details = {
        "page": "/direction/", "page_size": PAGE, "data_only_p95_ms": ms(percentile(data_only, 95)),
        "cpu_p95_ms": ms(percentile(sides[0][2], 95)), "baseline_cpu_p95_ms": ms(percentile(sides[2][2], 95)),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "p50_ms": ms(percentile(ours, 50)), "baseline_p50_ms": ms(percentile(base, 50)),
        "samples": len(ours), "baseline_samples": len(base), "data_only_samples": len(data_only),
        "directives": ctx.scale, "organizations": ORGS, "tasks": Task.objects.filter(directive__organization=root).count(),
        "database_name": str(connection.settings_dict["NAME"]),
        "goal": "p95 <= 100 ms", "goal_met": p95 <= 100,
        "same_first_page": same_page,
        "organizations_view_p95_ms": ms(percentile(orgs_view, 95)), "organizations_baseline_p95_ms": ms(percentile(orgs_base, 95)),
        "organizations_view_p50_ms": ms(percentile(orgs_view, 50)), "organizations_baseline_p50_ms": ms(percentile(orgs_base, 50)),
        "organizations_cpu_p95_ms": ms(percentile(sides[3][2], 95)),
        "organizations_baseline_cpu_p95_ms": ms(percentile(sides[4][2], 95)),
        "organizations_samples": len(orgs_view), "organizations_baseline_samples": len(orgs_base),
        "organizations_same_figures": same_figures, "organizations_checked": CHECKED_ORGS,
        "organizations_goal_met": ms(percentile(orgs_view, 95)) <= 100,
        "ok": all(pages_ok) and same_page and same_figures,
    } | ({"built": built} if built else {})
    return Result("directives", "followup_p95", "ms", p95, b95, details,
                  summary=[f"VanThu follow-up page p95 {p95} ms (p50 {details['p50_ms']}, data alone "
                           f"{details['data_only_p95_ms']}), bare SQL aggregate p95 {b95} ms",
                           f"by organisation: page p95 {details['organizations_view_p95_ms']} ms "
                           f"(p50 {details['organizations_view_p50_ms']}), bare SQL GROUP BY organisation p95 "
                           f"{details['organizations_baseline_p95_ms']} ms"])
