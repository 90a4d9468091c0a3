"""Background exports: big registers are written by a worker while the person watches progress."""

from __future__ import annotations

import logging
from pathlib import Path

from django.conf import settings
from django.utils import timezone, translation
from django_tasks import task

from . import aggregates
from .exports import WRITERS, build_table
from .models import ExportJob, ExportStatus

log = logging.getLogger(__name__)


def export_dir() -> Path:
    path = Path(settings.DATA_DIR) / "exports"
    path.mkdir(parents=True, exist_ok=True)
    return path


@task()
def run_export(job_id: int) -> None:
    """Write the file of one export job, updating its progress as rows are written."""
    job = ExportJob.objects.select_related("user").get(id=job_id)
    job.status = ExportStatus.RUNNING
    job.save(update_fields=["status"])
    try:
        # In the language of the page the export was asked from: headings, 99,4% or 99.4%.
        with translation.override(job.params.get("lang") or settings.LANGUAGE_CODE):
            _write(job)
    except Exception as exc:  # the person sees that it failed; the log has the details
        log.exception("export %s failed", job_id)
        ExportJob.objects.filter(id=job.id).update(status=ExportStatus.FAILED, error=str(exc)[:2000], finished_at=timezone.now())


def _write(job: ExportJob) -> None:
    table = build_table(job.user, job.kind, job.params)
    ExportJob.objects.filter(id=job.id).update(total_rows=table.total)
    name = f"{job.id}-{table.file_stem()}.{job.fmt}"
    target = export_dir() / name

    def progress(n: int) -> None:
        ExportJob.objects.filter(id=job.id).update(done_rows=n)

    with open(target, "wb") as out:
        n = WRITERS[job.fmt](table, out, progress)
    ExportJob.objects.filter(id=job.id).update(status=ExportStatus.DONE, done_rows=n, file_name=name, finished_at=timezone.now())


@task()
def fold_statistics() -> int:
    """Take the journaled changes into the aggregates (see `aggregates.fold_pending`)."""
    return aggregates.fold_pending()


def on_worker_start() -> None:
    """`vanthu worker`: fold what was journaled while no worker ran."""
    aggregates.fold_pending()
