"""Background work of the migration: an uploaded export imported by the worker (slow queue)."""

from __future__ import annotations

import logging

from django.utils import timezone
from django_tasks import task

from .importer import run_import
from .mapping import parse_mapping
from .models import ImportRun, RunStatus
from .verify import verify_export

log = logging.getLogger("vanthu.migration")


@task(queue_name="slow")
def import_run(run_id: int) -> dict:
    """Import a queued run's file. A run the worker died in is started again by the next call:
    what is in is recognised by its UNID, so it finishes with no duplicate and no gap."""
    run = ImportRun.objects.select_related("organization", "started_by").get(pk=run_id)
    if run.status in (RunStatus.DONE, RunStatus.STOPPED):
        return run.report
    try:
        return run_import(run.file_path, organization=run.organization, mapping=parse_mapping(run.mapping_text),
                          user=run.started_by, dry_run=run.dry_run, run=run)
    except Exception as exc:
        log.exception("migration run %s failed", run_id)
        ImportRun.objects.filter(pk=run_id).update(status=RunStatus.FAILED, error=str(exc)[:2000], finished_at=timezone.now())
        raise


@task(queue_name="slow")
def verify_run(run_id: int) -> dict:
    """Read the run's export again and compare every note and attachment with what is stored."""
    run = ImportRun.objects.select_related("organization").get(pk=run_id)
    result = verify_export(run.file_path, organization=run.organization, mapping=parse_mapping(run.mapping_text))
    result["status"] = "done"
    result["at"] = timezone.now().isoformat()
    ImportRun.objects.filter(pk=run_id).update(verification=result)
    return result
