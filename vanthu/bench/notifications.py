"""`notifications`: one event told to N people (default 1,000), and the worker's e-mail rate.

1. Fan-out: `notify()` to N people inside a transaction, as an action's request pays it (the
   notice, N copies, the outbox rows of the N people who want e-mail at once), against the same
   rows written with bare SQL (one INSERT of the notice, executemany of the copies, the same
   INSERT … SELECT of the outbox). The target: well under 1 s of request time for 1,000 people.
2. Sending: the worker's `send_due` loop over those N messages to an SMTP server (aiosmtpd, in
   a process of its own on loopback), in mails per second, against a bare `smtplib` loop sending
   N messages of the same size over one connection to the same server.
"""

from __future__ import annotations

import os
import smtplib
import socket
import subprocess
import sys
import time
from email.message import EmailMessage as StdMessage

from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone

from vanthu.accounts.models import User
from vanthu.notifications import kinds, mail
from vanthu.notifications.actions import notify
from vanthu.notifications.models import MailMessage, Notice, Notification, Preference

from . import world
from .database import Raw
from .runner import Context, Result, median, ms, percentile, scenario

KIND = "bench_event"
TITLE = "Bạn được giao chủ trì xử lý: 15-CV/ĐUK — Về việc tổng kết công tác xây dựng Đảng năm 2026"
BODY = "Hạn xử lý: 12/05/2026.\nÝ kiến chỉ đạo: Đồng chí chủ trì tham mưu, báo cáo Thường trực trước hạn."


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_smtp(port: int) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}", "-c", "aiosmtpd.handlers.Sink"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("the SMTP server (aiosmtpd) did not start")


def _bare_fanout(raw: Raw, user_ids: list[int]) -> None:
    """The same rows as notify(), written with plain SQL in one transaction."""
    now = timezone.now()
    qn = connection.ops.quote_name
    notice, copy, mailt, usert, pref = (qn(m._meta.db_table) for m in (Notice, Notification, MailMessage, User, Preference))
    with raw.transaction():
        cur = raw.cursor()
        raw.execute(cur, f"INSERT INTO {notice} (kind, title, body, url, object_type, object_id, organization_id, created_at, {qn('key')})"
                         " VALUES (%s, %s, %s, '', '', '', NULL, %s, NULL) RETURNING id", (KIND, TITLE, BODY, raw.dt(now)))
        nid = cur.fetchone()[0]
        raw.executemany(cur, f"INSERT INTO {copy} (notice_id, user_id, read_at) VALUES (%s, %s, NULL)", [(nid, u) for u in user_ids])
        raw.execute(cur, f"INSERT INTO {mailt} (user_id, notice_id, {qn('to')}, subject, body, state, attempts, created_at,"
                         " next_attempt_at, lease_until, claim, last_error)"
                         f" SELECT n.user_id, n.notice_id, u.email, '', '', 'pending', 0, %s, %s, %s, '', '' FROM {copy} n"
                         f" JOIN {usert} u ON u.id = n.user_id LEFT JOIN {pref} p ON p.user_id = n.user_id AND p.kind = %s"
                         " WHERE n.notice_id = %s AND u.is_active AND u.email <> '' AND COALESCE(p.channel, 'email') = 'email'",
                    (raw.dt(now), raw.dt(now), raw.dt(now), KIND, nid))


def _bare_smtp(port: int, addresses: list[str]) -> float:
    """Seconds for a bare smtplib loop: the same number of messages, the same text, one connection."""
    t0 = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as s:
        s.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # as the worker does (mail._no_delay)
        for to in addresses:
            m = StdMessage()
            m["Subject"], m["From"], m["To"] = f"[VanThu] {TITLE}", "vanthu@dangbokhoi.test", to
            m.set_content(f"Kính gửi Người thử tải,\n\n{TITLE}\n\n{BODY}\n")
            s.send_message(m)
    return time.perf_counter() - t0


@scenario("notifications", default_scale=1000,
          help="notify() to N people (median ms of request time) and the worker's mails/s against bare smtplib")
def run_notifications(ctx: Context) -> Result:
    n_people = ctx.scale
    reps = ctx.repeat or 10
    kinds.register(KIND, "Thử tải thông báo", default=kinds.Channel.EMAIL)
    tag = world.run_tag()
    ctx.say(f"preparing {n_people} people with an e-mail address …")
    org = world.make_orgs(tag, "NOTIF", 1)[0]
    users = User.objects.bulk_create([User(username=f"bench-n-{tag}-{i}", full_name=f"Người thử tải {i}",
                                           email=f"nguoi{i}.{tag.lower()}@dangbokhoi.test", password="!") for i in range(n_people)])
    ids = [u.id for u in users]
    raw = Raw()
    ours: list[float] = []
    bare: list[float] = []
    with override_settings(VANTHU_EMAIL_ENABLED=True):
        ctx.say(f"fan-out: notify() to {n_people} people and the bare SQL, alternately, {reps} times …")
        for i in range(reps + 1):
            t0 = time.perf_counter()
            with transaction.atomic():
                told = notify(ids, kind=KIND, title=TITLE, body=BODY, url="/documents/1/", org=org)
            t1 = time.perf_counter()
            _bare_fanout(raw, ids)
            t2 = time.perf_counter()
            if i:  # the first of each is warm-up
                ours.append(t1 - t0)
                bare.append(t2 - t1)
        assert told == n_people
        # Leave exactly one event's mail for the sending test.
        MailMessage.objects.filter(user_id__in=ids).delete()
        with transaction.atomic():
            notify(ids, kind=KIND, title=TITLE, body=BODY, url="/documents/1/", org=org)
        journaled = MailMessage.objects.filter(user_id__in=ids, state="pending").count()

        port = _free_port()
        ctx.say(f"sending {journaled} mails through the worker's loop and with bare smtplib (aiosmtpd on port {port}) …")
        server = _start_smtp(port)
        try:
            with override_settings(EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_HOST="127.0.0.1",
                                   EMAIL_PORT=port, EMAIL_USE_TLS=False, EMAIL_USE_SSL=False):
                t0 = time.perf_counter()
                sent = 0
                while batch := mail.send_due(limit=mail.BATCH):
                    sent += batch
                worker_s = time.perf_counter() - t0
            bare_s = _bare_smtp(port, [u.email for u in users])
        finally:
            server.terminate()
            server.wait(10)
    worker_rate, bare_rate = sent / worker_s, n_people / bare_s
    value, base = median(ours) * 1000, median(bare) * 1000
    checks = {"all_told": told == n_people, "all_mail_sent": sent == journaled == n_people,
              "fanout_under_1s": percentile(ours, 100) < 1.0}
    details = {
        "people": n_people, "repetitions": reps, "fanout_p95_ms": ms(percentile(ours, 95)), "fanout_max_ms": ms(max(ours)),
        "baseline_p95_ms": ms(percentile(bare, 95)),
        "mails_per_s": round(worker_rate, 1), "baseline_mails_per_s": round(bare_rate, 1),
        "mail_ratio": round(bare_rate / worker_rate, 3) if worker_rate else None,
        "load_average": round(os.getloadavg()[0], 1),  # the machine is shared: say how busy it was
        **checks, "ok": all(checks.values()),
    }
    return Result(
        scenario="notifications", metric="notify() fan-out median", unit="ms", value=value, baseline=base, details=details,
        summary=[
            f"notify() to {n_people} people, {reps} repetitions:",
            f"  VanThu   median {value:.1f} ms, max {details['fanout_max_ms']:.1f} ms (request time; target < 1000 ms)",
            f"  bare SQL median {base:.1f} ms",
            f"sending {sent} mails: worker {worker_rate:.0f}/s, bare smtplib {bare_rate:.0f}/s (ratio {details['mail_ratio']})",
            f"  checks: {', '.join(k for k, v in checks.items() if v) or 'none'} passed",
        ],
    )
