"""Starting a VanThu process: Django set up on a data dir, the schema brought up to date, and the
command line that runs the web server.

The `vanthu` command, the benchmarks and the helpers of the multi-process tests all start
processes the same way, so the way lives here, below all of them (layer 0: it imports nothing of
VanThu; Django finds the apps through the settings module).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from urllib.parse import quote

from django.core.management import call_command

from vanthu import datadir

SETTINGS_MODULE = "vanthu.settings"


def setup(data_dir: str | os.PathLike | None = None) -> None:
    """Set Django up for this process, on `data_dir` when given (else VANTHU_DATA_DIR or ./.vanthu).

    Settings are read once per process, so the data dir must be chosen before the first call.
    """
    if data_dir:
        os.environ["VANTHU_DATA_DIR"] = str(Path(data_dir).resolve())
    # Importing the settings creates nothing: every process makes its data dir (and, without
    # VANTHU_SECRET_KEY, the generated key in it) here, before Django starts.
    datadir.prepare()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS_MODULE)
    import django  # here, not at the top: importing this module must not need Django configured

    django.setup()


def prepare_database() -> None:
    """Create or bring up to date the configured database's schema (Django's migrate, quietly)."""
    call_command("migrate", interactive=False, verbosity=0)


def gunicorn_argv(host: str, port: int, workers: int, threads: int | None = None, access_log: bool = True,
                  app: str = "vanthu.web.wsgi:application") -> list[str]:
    """How `vanthu serve` (and `vanthu bench load`) run gunicorn.

    The worker reads request heads and small bodies in its event loop and puts deadlines on the
    rest, and the application reads every body before Django (vanthu/web/server.py): slow or
    oversized requests cannot hold the threads. Threads: VANTHU_SERVER_THREADS per process.
    `app` is the WSGI application's dotted path (the load benchmark mounts its bare endpoint
    beside VanThu's in the same server).
    """
    threads = threads or int(os.environ.get("VANTHU_SERVER_THREADS", "8"))
    argv = [
        sys.executable, "-m", "gunicorn", app, "--bind", f"{host}:{port}",
        "--worker-class", "vanthu.web.server.GuardedThreadWorker",
        "--workers", str(workers), "--threads", str(threads), "--timeout", "120",
        # Clients (browsers, htmx, API scripts) reuse connections; an idle one costs a socket only.
        "--keep-alive", "30", "--backlog", "2048",
        # No control socket: its default path is shared by every gunicorn of the user.
        "--no-control-socket",
        # Metrics of exited processes (vanthu/security/metrics.py); on SIGTERM, in-flight requests
        # get this long to finish.
        "--config", "python:vanthu.web.gunicorn_hooks", "--graceful-timeout", "30",
    ]
    if access_log:
        argv += ["--access-logfile", "-"]
        if os.environ.get("VANTHU_LOG_FORMAT", "").strip().lower() == "json":
            argv += ["--access-logformat", ACCESS_LOG_JSON]
    return argv


# Gunicorn's access log as JSON lines, with the request id the application answered with.
ACCESS_LOG_JSON = (
    '{"time": "%(t)s", "logger": "access", "remote": "%(h)s", "method": "%(m)s", "path": "%(U)s",'
    ' "status": %(s)s, "bytes": "%(B)s", "seconds": %(L)s, "request_id": "%({x-request-id}o)s",'
    ' "user_agent": "%(a)s"}'
)


def prepare_metrics_dir() -> Path:
    """The directory the server processes share their metrics in (PROMETHEUS_MULTIPROC_DIR, by
    default `<data dir>/metrics`), emptied: the figures of a previous run must not add up with
    this one's. Call before the server processes start; they inherit the variable."""
    found = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or str(datadir.location() / "metrics")
    path = Path(found)
    path.mkdir(parents=True, exist_ok=True)
    for old in path.glob("*.db"):
        old.unlink()
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(path)
    return path


def database_url(db: dict) -> str:
    """A VANTHU_DATABASE_URL for a DATABASES entry, so that a child process uses that database."""
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    auth = quote(db.get("USER") or "postgres", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{auth}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"
