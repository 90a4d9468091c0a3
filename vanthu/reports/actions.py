"""State changes of the reports app: asking for a background export."""

from __future__ import annotations

from functools import partial

from django.db import transaction

from vanthu.audit.chain import record

from .models import ExportJob
from .tasks import run_export


@transaction.atomic
def request_export(*, user, kind: str, fmt: str, params: dict) -> ExportJob:
    """Queue a file to be written in the background; the worker starts once this commits."""
    job = ExportJob.objects.create(user=user, kind=kind, fmt=fmt, params=params)
    record("report_export_requested", actor=user, obj=job, data={"kind": kind, "fmt": fmt, "params": params})
    transaction.on_commit(partial(run_export.enqueue, job.id))
    return job
