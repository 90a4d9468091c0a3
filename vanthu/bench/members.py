"""`members`: import N party members from Excel (default 100,000), then the Bloc's statistics as of a past date.

1. Import: `importing.import_members` on an .xlsx of N rows spread over 100 organisations, with every
   check on (dates, ages, card numbers in the file and in the database, organisation codes, the
   text rule) and every row written in one transaction, in rows per second; the baseline is
   openpyxl's bare read of the same file (read-only, values only), the part no import can skip.
   The target: at least 2,000 rows/s.
2. Histories: a fifth of the members then get a second version (a transfer or an edit during the
   past year, written in bulk: preparing, not measured).
3. Statistics: `GET /api/v1/reports/party-members?as_of=<a past date>` for the whole Bloc as its
   organisation board officer (access, the audit entry, the three grouped queries, the roll-up,
   JSON), against one bare SQL GROUP BY over the same versions; p95 of interleaved samples.
   The target: p95 ≤ 300 ms.
"""

from __future__ import annotations

import io
import os
import random
import time
from datetime import date, timedelta

from django.db import connection, transaction
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from vanthu.accounts.models import User
from vanthu.membership import importing
from vanthu.membership.models import (
    MemberStatus,
    MemberVersion,
    OfficerKind,
    PartyMember,
    RecordsOfficer,
)
from vanthu.membership.tasks import refresh_planner_statistics
from vanthu.organizations.models import OrgKind
from vanthu.rows import insert_rows

from . import world
from .database import Raw
from .runner import Context, Result, median, ms, percentile, scenario

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô"]
MIDDLE = ["Văn", "Thị", "Đức", "Thu", "Minh", "Ngọc", "Quang", "Thanh"]
GIVEN = ["Hùng", "Lan", "Dũng", "Hoa", "Tuấn", "Mai", "Hải", "Linh", "Sơn", "Hương"]
QUALS = ["Đại học", "Thạc sĩ", "Tiến sĩ", "Cao đẳng"]
THEORY = ["Sơ cấp", "Trung cấp", "Cao cấp", "Cử nhân"]
ETHNIC = ["Kinh"] * 9 + ["Tày", "Mường"]


def _workbook(n: int, codes: list[str], tag: str, rng: random.Random) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Dang vien")
    ws.append(list(importing.COLUMNS))
    today = timezone.localdate()
    for i in range(n):
        born = date(1955 + rng.randrange(45), 1 + rng.randrange(12), 1 + rng.randrange(28))
        admitted = min(date(born.year + 19 + rng.randrange(25), 1 + rng.randrange(12), 1 + rng.randrange(28)), today - timedelta(days=400))
        # Half the dates as Vietnamese text, half as real Excel dates: both paths are measured.
        a = admitted.strftime("%d/%m/%Y") if i % 2 else admitted
        ws.append([f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}", born.strftime("%d/%m/%Y"),
                   "Nữ" if rng.random() < 0.47 else "Nam", f"{tag}-{i:07d}", a, admitted.replace(year=admitted.year + 1) if admitted.month != 2 else "",
                   codes[i % len(codes)], rng.choice(ETHNIC), rng.choice(QUALS), rng.choice(THEORY)])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _bare_read(data: bytes) -> int:
    wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    rows = sum(1 for _row in wb.worksheets[0].iter_rows(values_only=True)) - 1
    wb.close()
    return rows


def _histories(member_ids: list[int], org_ids: list[int], rng: random.Random, user_id: int) -> int:
    """A second version for a fifth of the members: moved or edited on a day of the past year."""
    chosen = rng.sample(member_ids, len(member_ids) // 5)
    today, now = timezone.localdate(), timezone.now()
    days = {mid: today - timedelta(days=rng.randint(1, 365)) for mid in chosen}
    current = {v.member_id: v for v in MemberVersion.objects.filter(member_id__in=chosen, valid_to__isnull=True)}
    rows = []
    with transaction.atomic():
        for i in range(0, len(chosen), 2000):
            chunk = chosen[i:i + 2000]
            for mid in chunk:
                v = current[mid]
                MemberVersion.objects.filter(pk=v.pk).update(valid_to=days[mid])
                moved = rng.random() < 0.5
                rows.append((mid, days[mid], rng.choice(org_ids) if moved else v.organization_id, MemberStatus.ACTIVE, v.gender,
                             v.birth_date, v.ethnicity, v.qualification, "advanced" if not moved else v.theory_level, v.admitted_on,
                             "transfer" if moved else "updated", {"organization": [v.organization_id, None]} if moved else {"theory_level": [v.theory_level, "advanced"]},
                             user_id, now))
        insert_rows(MemberVersion, ("member", "valid_from", "organization", "status", "gender", "birth_date", "ethnicity",
                                    "qualification", "theory_level", "admitted_on", "reason", "changes", "changed_by", "changed_at"), rows)
    return len(rows)


def _bare_statistics(raw: Raw, org_ids: list[int], as_of: date) -> int:
    """The same versions counted with one plain GROUP BY (organisation × gender × qualification × theory level)."""
    qn = connection.ops.quote_name
    table = qn(MemberVersion._meta.db_table)
    marks = ", ".join(["%s"] * len(org_ids))
    cur = raw.cursor()
    raw.execute(cur, f"SELECT organization_id, gender, qualification, theory_level, COUNT(*) FROM {table}"
                     f" WHERE valid_from <= %s AND (valid_to IS NULL OR valid_to > %s) AND status = 'active'"
                     f" AND organization_id IN ({marks}) GROUP BY organization_id, gender, qualification, theory_level",
                [raw.day(as_of), raw.day(as_of), *org_ids])
    return sum(r[4] for r in cur.fetchall())


@scenario("members", default_scale=100_000, tiny=500, small=10_000,
          help="import N members from Excel (rows/s against openpyxl's bare read) and the Bloc's statistics as of a past date (p95)")
def run_members(ctx: Context) -> Result:
    n = ctx.scale
    reps = ctx.repeat or ctx.sized(tiny=5, small=20, default=30)
    rng = random.Random(2026)
    tag = world.run_tag()
    ctx.say(f"preparing a Bloc of 100 organisations, its board officer, and an .xlsx of {n} members …")
    bloc = world.make_orgs(tag, "MEMBLOC", 1, kind=OrgKind.BLOC_COMMITTEE)[0]
    orgs = world.make_orgs(tag, "MEM", 100, parent=bloc)
    board = User.objects.create(username=f"bench-tc-{tag}", full_name="Cán bộ Ban Tổ chức thử tải", password="!")
    RecordsOfficer.objects.create(user=board, organization=bloc, kind=OfficerKind.BOARD)
    org_ids = {bloc.id, *(o.id for o in orgs)}
    data = _workbook(n, [o.code for o in orgs], tag, rng)

    ctx.say("openpyxl's bare read of the file …")
    b0 = time.perf_counter()
    bare_rows = _bare_read(data)
    bare_s = time.perf_counter() - b0
    ctx.say(f"importing {n} rows with every check …")
    t0 = time.perf_counter()
    outcome = importing.import_members(data, user=board, org_ids=org_ids)
    import_s = time.perf_counter() - t0
    rate, bare_rate = n / import_s, bare_rows / bare_s

    member_ids = list(PartyMember.objects.filter(organization_id__in=org_ids).values_list("id", flat=True))
    ctx.say(f"histories: a second version for {len(member_ids) // 5} members …")
    extra = _histories(member_ids, [o.id for o in orgs], rng, board.id)
    # What the worker does after the import (membership/tasks.py), and autovacuum would in time
    # after the histories: the planner's figures and the visibility map, for both sides alike.
    r0 = time.perf_counter()
    refreshed = refresh_planner_statistics.call()
    refresh_s = time.perf_counter() - r0

    as_of = timezone.localdate() - timedelta(days=180)
    client = world.browser()
    auth = world.bearer(board)
    raw = Raw()
    ours, bare = [], []
    totals = None
    ctx.say(f"statistics of the Bloc as of {as_of:%d/%m/%Y}: the API and bare SQL, alternately, {reps} times …")
    for i in range(reps + 1):
        board.__dict__.pop("_vanthu_records_orgs", None)
        t1 = time.perf_counter()
        r = client.get(f"/api/v1/reports/party-members?organization_id={bloc.id}&as_of={as_of.isoformat()}", secure=True, **auth)
        t2 = time.perf_counter()
        bare_total = _bare_statistics(raw, sorted(org_ids), as_of)
        t3 = time.perf_counter()
        assert r.status_code == 200, (r.status_code, r.headers, r.content[:300])
        totals = r.json()["totals"]
        if i:
            ours.append(t2 - t1)
            bare.append(t3 - t2)
    p95, base95 = percentile(ours, 95), percentile(bare, 95)
    checks = {
        "all_imported": outcome.created == n and bare_rows == n,
        # The targets are about real sizes: a tiny run is all fixed costs and the machine's mood.
        **({"import_rate_ok": rate >= 2000} if n >= 10_000 else {}),
        "statistics_match_bare_sql": totals is not None and totals["total"] == bare_total,
        **({"statistics_p95_ok": p95 <= 0.300} if n >= 10_000 else {}),
    }
    details = {
        "members": n, "organizations": len(org_ids), "versions_added": extra, "import_s": round(import_s, 2),
        "planner_statistics": refreshed, "planner_statistics_s": round(refresh_s, 2),
        "bare_read_s": round(bare_s, 2), "import_rows_per_s": round(rate), "bare_rows_per_s": round(bare_rate),
        "statistics_as_of": as_of.isoformat(), "statistics_p95_ms": ms(p95), "statistics_median_ms": ms(median(ours)),
        "statistics_baseline_p95_ms": ms(base95), "statistics_ratio": round(p95 / base95, 2) if base95 else None,
        "samples": len(ours), "baseline_samples": len(bare), "load_average": round(os.getloadavg()[0], 1),
        **checks, "ok": all(checks.values()),
    }
    return Result(
        scenario="members", metric="Excel import rate, every check on", unit="rows/s", value=rate, baseline=bare_rate,
        higher_is_better=True, details=details,
        summary=[
            f"import of {n} members: {import_s:.1f} s, {rate:.0f} rows/s (target ≥ 2000); openpyxl's bare read {bare_rate:.0f} rows/s",
            f"statistics of {len(org_ids)} organisations as of {as_of:%d/%m/%Y}: p95 {ms(p95)} ms (target ≤ 300), "
            f"median {ms(median(ours))} ms; bare SQL p95 {ms(base95)} ms",
            f"  checks: {', '.join(k for k, v in checks.items() if v) or 'none'} passed",
        ],
    )
