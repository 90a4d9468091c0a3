"""A document's history as its issuing organisation reads it: drafted, submitted, returned, approved, issued.

Read from the audit log, where every one of these steps already writes its entry with who and
when (and the leader's opinion on a return or an approval): one indexed query, and a history that
cannot disagree with the record of what happened."""

from __future__ import annotations

from django.utils.translation import pgettext_lazy

from vanthu.audit.models import AuditEntry

from .models import Document

STEPS = {
    "document_drafted": pgettext_lazy("document history", "Soạn dự thảo"),
    "document_submitted": pgettext_lazy("document history", "Trình duyệt"),
    "document_returned": pgettext_lazy("document history", "Trả lại người soạn"),
    "document_approved": pgettext_lazy("document history", "Duyệt"),
    "document_issued": pgettext_lazy("document history", "Cấp số, phát hành"),
}


def drafting_history(document: Document) -> list[dict]:
    """The steps, oldest first: {"label", "at", "by", "note"}."""
    rows = (AuditEntry.objects.filter(object_type=Document._meta.label_lower, object_id=str(document.pk), action__in=STEPS)
            .select_related("actor").order_by("seq"))
    return [{
        "action": e.action, "label": STEPS[e.action], "at": e.at,
        "by": e.actor.get_full_name() if e.actor_id else e.actor_name,
        "note": str(e.data.get("note", "")) if isinstance(e.data, dict) else "",
    } for e in rows]
