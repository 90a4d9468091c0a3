"""Audit entries for what happens outside VanThu's own actions: admin changes and refusals."""

from __future__ import annotations

from vanthu.audit.chain import record

_FLAGS = {1: "add", 2: "change", 3: "delete"}


def admin_change_logged(sender, instance, created: bool, **kwargs) -> None:
    """Django's admin wrote a LogEntry: write the same change into the audit chain (same transaction)."""
    if not created:
        return
    ct = instance.content_type
    record(
        f"admin_{_FLAGS.get(instance.action_flag, 'change')}",
        actor=instance.user,
        object_type=f"{ct.app_label}.{ct.model}" if ct else "",
        object_id=instance.object_id or "",
        data={"object": instance.object_repr[:200], "message": instance.get_change_message()[:1000]},
    )


def permission_denied(request, reason: str = "") -> None:
    """A signed-in person was refused (403) by an action or page: worth knowing who probes."""
    user = getattr(request, "user", None)
    record(
        "permission_denied",
        actor=user if getattr(user, "is_authenticated", False) else None,
        data={"path": request.path[:300], "method": request.method, "reason": reason[:200]},
    )
