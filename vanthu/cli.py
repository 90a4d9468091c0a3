"""The `vanthu` command: demo, serve, worker, manage, audit, bench.

Each command imports the apps it runs only after `_setup()` has configured Django (importing an
app's models before that fails): hence the imports inside the functions below, each marked so.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import signal
import subprocess
import sys
from pathlib import Path

from vanthu import runtime

# How a process starts lives in vanthu/runtime.py, shared with the benchmarks and the
# multi-process tests' helpers (which must not import the command line).
_setup = runtime.setup
_prepare_database = runtime.prepare_database


def cmd_demo(args: argparse.Namespace) -> int:
    os.environ.setdefault("VANTHU_PUBLIC_URL", f"http://{args.host}:{args.port}")
    os.environ.setdefault("VANTHU_PASSWORD_MIN_LENGTH", "4")  # the demo password is `demo`
    # The demo is served over plain HTTP at --host/--port (settings log that it is).
    os.environ.setdefault("VANTHU_HTTPS", "0")
    # A demo's keys may be derived from its own secret key; the warning is meant for production.
    import warnings

    warnings.filterwarnings("ignore", message="VANTHU_KEY_ENCRYPTION_KEY is not set")
    _setup(args.data_dir)
    from django.conf import settings

    from vanthu.demo.seed import seed_demo  # after _setup()

    print(f"Thư mục dữ liệu / data dir: {settings.DATA_DIR}  ({settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]})")
    _prepare_database()
    if args.site == "city":
        from vanthu.exchange.commands import prepare_demo_site  # after _setup()

        logins = prepare_demo_site("city", password=args.demo_password)
    else:
        logins = seed_demo(password=args.demo_password, documents=args.documents)
        from vanthu.exchange.commands import (  # after _setup()
            prepare_demo_site,  # organisation certificates for exchange
        )

        prepare_demo_site("bloc", password=args.demo_password)
    url = f"http://{args.host}:{args.port}/"
    print()
    print(f"VanThu đang chạy tại / is running at: {url}")
    print(f"API: {url}api/v1/docs")
    print(f"Mật khẩu của mọi tài khoản demo / demo password: {args.demo_password}")
    for line in logins:
        print(f"  {line}")
    return _run_server_and_worker(args.host, args.port, workers=2, logs=Path(settings.DATA_DIR) / "logs")


def _run_server_and_worker(host: str, port: int, workers: int, logs: Path) -> int:
    """The demo's server and worker. The console keeps the banner and what went wrong (the
    server's warnings and errors); every request and every background task is written to the
    log files under `logs`, said once at start."""
    runtime.prepare_metrics_dir()
    env = dict(os.environ)
    logs.mkdir(parents=True, exist_ok=True)
    server_argv = runtime.gunicorn_argv(host, port, workers, access_log=False)
    server_argv += ["--access-logfile", str(logs / "access.log"), "--log-level", "warning"]
    server = subprocess.Popen(server_argv, env=env)
    worker_log = open(logs / "worker.log", "ab")  # noqa: SIM115 — held for the worker's lifetime
    worker = subprocess.Popen([sys.executable, "-m", "vanthu.cli", "worker"], env=env, stdout=worker_log, stderr=subprocess.STDOUT)
    print(f"Nhật ký / logs: {logs / 'access.log'}, {logs / 'worker.log'}")
    print("Nhấn Ctrl+C để dừng / press Ctrl+C to stop.")
    sys.stdout.flush()
    procs = [server, worker]

    def stop(*_a):
        for p in procs:
            if p.poll() is None:
                p.terminate()

    signal.signal(signal.SIGTERM, stop)
    try:
        return server.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        stop()
        for p in procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
        worker_log.close()


def cmd_serve(args: argparse.Namespace) -> int:
    os.environ.setdefault("VANTHU_PUBLIC_URL", f"http://{args.host}:{args.port}")
    _setup(args.data_dir)
    _prepare_database()
    runtime.prepare_metrics_dir()
    os.execv(sys.executable, runtime.gunicorn_argv(args.host, args.port, args.workers))
    return 0


def _with_parent(parent: int):
    """What a queue's worker process runs before it starts: stop (gracefully, SIGTERM) when the
    `vanthu worker` that started it dies, even by SIGKILL, so that no worker outlives it (Linux's
    PR_SET_PDEATHSIG; elsewhere nothing)."""
    prctl = getattr(ctypes.CDLL(None, use_errno=True), "prctl", None) if sys.platform == "linux" else None

    def in_child() -> None:
        if prctl is not None:
            prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG
            if os.getppid() != parent:  # it died before the line above
                os._exit(0)

    return in_child


def cmd_worker(args: argparse.Namespace) -> int:
    """`vanthu worker`: a process per task queue (settings.TASKS QUEUES), so that OCR on "slow"
    never holds up exchange sends and indexing on "default"; this process works the first
    queue and starts the others. `--queue NAME` works that one only (to run them apart)."""
    _setup(getattr(args, "data_dir", None))
    from django.conf import settings
    from django.core.management import call_command

    queues = list(settings.TASKS["default"].get("QUEUES") or ["default"])
    mine = args.queue.split(",") if getattr(args, "queue", "") else queues[:1]
    if "default" in mine:
        from vanthu.web.tasks import on_worker_start as queue_on_worker_start  # after _setup()

        queue_on_worker_start()  # tasks a killed worker left running go back to the queue
        from vanthu.exchange.tasks import on_worker_start  # after _setup()

        on_worker_start()  # pick up what a killed worker left unsent
        from vanthu.audit.tasks import on_worker_start as audit_on_worker_start  # after _setup()

        audit_on_worker_start()  # the daily verification of the audit chain
        from vanthu.reports.tasks import (
            on_worker_start as reports_on_worker_start,  # after _setup()
        )

        reports_on_worker_start()  # statistics journaled while no worker ran
        from vanthu.notifications.tasks import (
            on_worker_start as notifications_on_worker_start,  # after _setup()
        )
        from vanthu.workflow.tasks import (
            on_worker_start as workflow_on_worker_start,  # after _setup()
        )

        notifications_on_worker_start()  # mail a killed worker left unsent; the daily digest
        workflow_on_worker_start()  # the daily deadline reminders
        from vanthu.archive.tasks import (
            on_worker_start as archive_on_worker_start,  # after _setup()
        )

        archive_on_worker_start()  # the nightly renewal of long-term signature evidence
        from vanthu.direction.tasks import (
            on_worker_start as direction_on_worker_start,  # after _setup()
        )

        direction_on_worker_start()  # the daily reminders of directed tasks' deadlines
        from vanthu.signatures.tasks import (
            on_worker_start as signatures_on_worker_start,  # after _setup()
        )

        signatures_on_worker_start()  # verdicts for documents still waiting (the demo's included)
    others = [] if getattr(args, "queue", "") else queues[1:]
    me = os.getpid()
    children = [subprocess.Popen([sys.executable, "-m", "vanthu.cli", "worker", "--queue", q], preexec_fn=_with_parent(me))
                for q in others]
    try:
        call_command("db_worker", interval=1.0, queue_name=",".join(mine))
    finally:
        for child in children:
            if child.poll() is None:
                child.terminate()  # it finishes the task in hand, as this one did
        for child in children:
            try:
                child.wait(timeout=settings.VANTHU_OCR_TIMEOUT + 30)
            except subprocess.TimeoutExpired:
                child.kill()
    return 0


def cmd_manage(argv: list[str]) -> int:
    _setup()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["vanthu manage", *argv])
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    _setup(args.data_dir)
    from django.core.management import call_command
    from django.core.management.base import CommandError

    try:
        call_command("audit", args.subcommand)
    except CommandError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    return 0


def cmd_ca(args: argparse.Namespace) -> int:
    _setup(args.data_dir)
    _prepare_database()
    from django.core.management import call_command

    call_command("ca", args.subcommand)
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    # Benchmarks talk to the application over plain HTTP on this machine (Django's test client,
    # servers on the loopback), as `vanthu demo` does.
    os.environ.setdefault("VANTHU_HTTPS", "0")
    _setup(args.data_dir)
    from vanthu.bench.runner import run  # after _setup()

    return run(args.scenario, scale=args.scale, as_json=args.json, repeat=args.repeat)


def cmd_search(args: argparse.Namespace) -> int:
    _setup(args.data_dir)
    from django.core.management import call_command

    call_command("search", args.subcommand)
    return 0


def cmd_peer(args: argparse.Namespace) -> int:
    _setup(args.data_dir)
    _prepare_database()
    from vanthu.exchange.commands import peer_add  # after _setup()

    return peer_add(args.url, trust_roots=args.trust_roots, inbound_secret=args.inbound_secret, outbound_secret=args.outbound_secret)


def cmd_edxml(args: argparse.Namespace) -> int:
    _setup(args.data_dir)
    from vanthu.exchange import commands  # after _setup()

    if args.subcommand == "export":
        return commands.edxml_export(int(args.args[0]), args.args[1], recipient=args.recipient)
    return commands.edxml_import(args.args[0])


def cmd_migrate(args: argparse.Namespace) -> int:
    _setup(args.data_dir)
    _prepare_database()
    from vanthu.migration import commands  # after _setup()

    if args.subcommand == "notes":
        return commands.notes(args.file, organization=args.organization, mapping=args.mapping, dry_run=args.dry_run,
                              suggest=args.suggest_mapping, username=args.user)
    if args.subcommand == "verify":
        return commands.verify(args.file, organization=args.organization, mapping=args.mapping)
    if args.export:
        return commands.names_export(args.export)
    if args.import_csv:
        return commands.names_import(args.import_csv)
    print("vanthu migrate names: --export FILE.csv or --import FILE.csv", file=sys.stderr)
    return 2


def cmd_backup(args: argparse.Namespace) -> int:
    _setup(args.data_dir)
    from vanthu.backup import BackupError, backup  # after _setup()

    try:
        result = backup(Path(args.dir))
    except BackupError as exc:
        print(f"Sao lưu thất bại / backup failed: {exc}", file=sys.stderr)
        return 1
    print(f"Đã sao lưu / backed up: {result.path} ({result.parts} parts, {result.bytes} bytes)")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    _setup(args.data_dir)
    from vanthu.audit.chain import verify  # after _setup()
    from vanthu.backup import BackupError, restore  # after _setup()

    try:
        manifest = restore(Path(args.dir))
    except BackupError as exc:
        print(f"Khôi phục thất bại / restore failed: {exc}", file=sys.stderr)
        return 1
    result = verify()
    if not result.ok:
        print(f"Chuỗi nhật ký hỏng / audit chain BROKEN at #{result.broken_seq}: {result.reason}", file=sys.stderr)
        return 2
    print(f"Đã khôi phục / restored {len(manifest['parts'])} parts; audit chain intact ({result.checked} entries, {result.anchors} signed checkpoints)")
    return 0


def cmd_archive(args: argparse.Namespace) -> int:
    _setup(args.data_dir)
    from vanthu.archive import commands  # after _setup()

    if args.subcommand == "export":
        if not args.organization or len(args.args) != 1:
            print("vanthu archive export --organization CODE [--year YYYY] [--zip] DIR", file=sys.stderr)
            return 2
        return commands.archive_export(organization=args.organization, directory=args.args[0], year=args.year, as_zip=args.zip)
    if args.subcommand == "verify":
        if len(args.args) != 1:
            print("vanthu archive verify PACKAGE", file=sys.stderr)
            return 2
        return commands.archive_verify(args.args[0])
    if args.subcommand == "tsa":
        return commands.archive_tsa(host=args.host, port=args.port)
    return commands.archive_renew(limit=args.limit)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="vanthu", description="VanThu — văn bản điện tử của các tổ chức đảng")
    sub = p.add_subparsers(dest="command", required=True)

    d = sub.add_parser("demo", help="create a demo installation and run it")
    d.add_argument("--host", default="127.0.0.1")
    d.add_argument("--port", type=int, default=8000)
    d.add_argument("--data-dir", default=None)
    d.add_argument("--demo-password", default="demo")
    d.add_argument("--documents", type=int, default=2000, help="how many demo documents to create")
    d.add_argument("--site", choices=["bloc", "city"], default="bloc", help="the Bloc's tree (default) or the City Party Committee's")
    d.set_defaults(func=cmd_demo)

    s = sub.add_parser("serve", help="run the web server (gunicorn)")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8000)
    s.add_argument("--workers", type=int, default=2)
    s.add_argument("--data-dir", default=None)
    s.set_defaults(func=cmd_serve)

    w = sub.add_parser("worker", help="run the background task workers (a process per queue)")
    w.add_argument("--queue", default="", help="work only these queues (comma-separated), e.g. default or slow")
    w.add_argument("--data-dir", default=None)
    w.set_defaults(func=cmd_worker)

    a = sub.add_parser("audit", help="audit log tools")
    a.add_argument("subcommand", choices=["verify"])
    a.add_argument("--data-dir", default=None)
    a.set_defaults(func=cmd_audit)

    bk = sub.add_parser("backup", help="consistent backup of the database and files into DIR")
    bk.add_argument("dir")
    bk.add_argument("--data-dir", default=None)
    bk.set_defaults(func=cmd_backup)

    rs = sub.add_parser("restore", help="restore a backup DIR into an empty data dir / database")
    rs.add_argument("dir")
    rs.add_argument("--data-dir", default=None)
    rs.set_defaults(func=cmd_restore)

    ca = sub.add_parser("ca", help="demo certificate authority")
    ca.add_argument("subcommand", choices=["init"])
    ca.add_argument("--data-dir", default=None)
    ca.set_defaults(func=cmd_ca)

    b = sub.add_parser("bench", help="run a benchmark scenario")
    b.add_argument("scenario")
    b.add_argument("--scale", default=None, help="a number, or tiny / small / default (the scenario's own sizes)")
    b.add_argument("--repeat", type=int, default=None)
    b.add_argument("--json", action="store_true")
    b.add_argument("--data-dir", default=None)
    b.set_defaults(func=cmd_bench)

    se = sub.add_parser("search", help="search index tools: reindex")
    se.add_argument("subcommand", choices=["reindex"])
    se.add_argument("--data-dir", default=None)
    se.set_defaults(func=cmd_search)

    pe = sub.add_parser("peer", help="other VanThu installations this one exchanges documents with",
                        description="Other VanThu installations this one exchanges documents with.")
    pe_sub = pe.add_subparsers(dest="subcommand", required=True, metavar="add")
    pa = pe_sub.add_parser(
        "add", help="register the installation at URL", usage="vanthu peer add URL [--trust-roots] [options]",
        description="Register the installation at URL: fetch its organisations, its exchange key and its "
                    "endpoint, so that documents can be sent to its organisations and received from them.")
    pa.add_argument("url", metavar="URL", help="the other installation's address, e.g. https://vanthu.thanhuy.hanoi.vn/")
    pa.add_argument("--trust-roots", action="store_true", help="also trust the peer's root certificates for PDF signatures")
    pa.add_argument("--inbound-secret", default="", help="the key of the MAC on what the peer posts to us (default: derived from its published exchange key)")
    pa.add_argument("--outbound-secret", default="", help="the key of the MAC on what we post to the peer (default: derived as above)")
    pa.add_argument("--data-dir", default=None)
    pa.set_defaults(func=cmd_peer)

    ex = sub.add_parser("edxml", help="edXML packages by hand: export DOCUMENT_ID FILE | import FILE")
    ex.add_argument("subcommand", choices=["export", "import"])
    ex.add_argument("args", nargs="+")
    ex.add_argument("--recipient", default="", help="export: the recipient's code when there are several at peers")
    ex.add_argument("--data-dir", default=None)
    ex.set_defaults(func=cmd_edxml)

    mi = sub.add_parser("migrate", help="Lotus Notes: notes FILE.dxl | verify FILE.dxl | names --export/--import CSV")
    mi.add_argument("subcommand", choices=["notes", "verify", "names"])
    mi.add_argument("file", nargs="?", default="")
    mi.add_argument("--organization", default="", help="the code of the organisation the records are imported for")
    mi.add_argument("--mapping", default=None, help="MAPPING.toml: forms to registers, items to fields, names")
    mi.add_argument("--dry-run", action="store_true", help="read and check everything, write nothing")
    mi.add_argument("--suggest-mapping", action="store_true", help="print a starting mapping from the export's forms")
    mi.add_argument("--user", default="", help="the administrator the import is recorded as (audit log)")
    mi.add_argument("--export", default="", help="names: write the Notes names table as CSV")
    mi.add_argument("--import", dest="import_csv", default="", help="names: read the filled CSV back")
    mi.add_argument("--data-dir", default=None)
    mi.set_defaults(func=cmd_migrate)
    ar = sub.add_parser("archive", help="archival packages: export --organization CODE [--year YYYY] [--zip] DIR | verify PACKAGE | renew | tsa")
    ar.add_argument("subcommand", choices=["export", "verify", "renew", "tsa"])
    ar.add_argument("args", nargs="*")
    ar.add_argument("--organization", default="", help="export: the organisation's electronic identifier code")
    ar.add_argument("--year", type=int, default=None, help="export: only this year's case files and documents")
    ar.add_argument("--zip", action="store_true", help="export: one ZIP file instead of a directory")
    ar.add_argument("--limit", type=int, default=10_000, help="renew: at most this many files")
    ar.add_argument("--host", default="127.0.0.1", help="tsa: the address to listen on")
    ar.add_argument("--port", type=int, default=8318, help="tsa: the port to listen on")
    ar.add_argument("--data-dir", default=None)
    ar.set_defaults(func=cmd_archive)

    sub.add_parser("manage", help="Django management commands", add_help=False)
    return p


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "manage":
        return cmd_manage(argv[1:])
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
