"""Tasks the multi-process tests enqueue: each run leaves its trace in a file, so a test can
count how often a task started and finished, whichever process ran it."""

from __future__ import annotations

import time

from django_tasks import task


@task()
def leave_trace(path: str, seconds: float = 0.0) -> str:
    with open(path, "a") as fh:
        fh.write("start\n")
    time.sleep(seconds)
    with open(path, "a") as fh:
        fh.write("end\n")
    return "done"
