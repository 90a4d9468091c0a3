"""Gunicorn's server hooks for `vanthu serve` (loaded with `--config python:vanthu.web.gunicorn_hooks`).

Graceful shutdown is gunicorn's own: on SIGTERM each process stops accepting, finishes the
requests in hand within `--graceful-timeout`, then exits. Here: a process that exited stops
counting in the live gauges of the metrics (multiprocess mode, see vanthu/security/metrics.py).
"""

from __future__ import annotations


def child_exit(server, worker) -> None:
    from vanthu.security.metrics import process_exited  # in the arbiter, where Django is not set up

    process_exited(worker.pid)
