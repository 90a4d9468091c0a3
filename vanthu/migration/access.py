"""Legacy records for a person: those of the organisations they belong to. Not found and not
allowed look alike; the migration itself (runs, upload, names) is the installation administrator's."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from vanthu.errors import NotFound
from vanthu.organizations.access import is_installation_admin, member_org_ids

from .models import ImportRun, LegacyAttachment, LegacyRecord


def visible_records(user) -> QuerySet[LegacyRecord]:
    return LegacyRecord.objects.for_organizations(member_org_ids(user))


def get_record(user, record_id: int) -> LegacyRecord:
    found = visible_records(user).select_related("organization", "document").filter(pk=record_id).first()
    if found is None:
        raise NotFound(_("Không tìm thấy hồ sơ cũ."), code="legacy_record_not_found")
    return found


def get_attachment(user, record_id: int, attachment_id: int) -> LegacyAttachment:
    record = get_record(user, record_id)
    found = LegacyAttachment.objects.filter(record=record, pk=attachment_id).first()
    if found is None:
        raise NotFound(_("Không tìm thấy tệp."), code="file_not_found")
    return found


def may_migrate(user) -> bool:
    """Importing an export writes into any organisation's registers: the installation's administrator only."""
    return is_installation_admin(user)


def get_run(user, run_id: int) -> ImportRun:
    found = ImportRun.objects.select_related("organization").filter(pk=run_id).first() if may_migrate(user) else None
    if found is None:
        raise NotFound(_("Không tìm thấy lượt nhập."), code="import_run_not_found")
    return found
