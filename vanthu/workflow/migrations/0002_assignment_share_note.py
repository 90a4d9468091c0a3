from django.db import migrations, models


def keep_instructions_private(apps, schema_editor) -> None:
    """Instructions written before the choice existed were written for the staff: make them private.

    An assignment's event (04) written by a person here carries the leader's note; a 04 reported
    by a peer (no `by`) is what that peer chose to send, and stays as it came. The sender's
    column "who handles it" is filled from the current assignments' main handlers."""
    Event = apps.get_model("documents", "DeliveryEvent")
    Delivery = apps.get_model("documents", "Delivery")
    Assignee = apps.get_model("workflow", "Assignee")
    Event.objects.filter(status_code="04", by__isnull=False).exclude(note="").update(note_private=True)
    by_name: dict[str, list[int]] = {}
    rows = (Assignee.objects.filter(assignment__is_current=True, role="main")
            .values_list("assignment__delivery_id", "user__full_name", "user__first_name", "user__last_name", "user__username"))
    for delivery_id, full_name, first, last, username in rows.iterator():
        by_name.setdefault((full_name or f"{first} {last}".strip() or username)[:150], []).append(delivery_id)
    # One UPDATE per handler, not per delivery.
    for name, ids in by_name.items():
        for i in range(0, len(ids), 500):
            Delivery.objects.filter(id__in=ids[i:i + 500]).update(handler_name=name)


class Migration(migrations.Migration):

    dependencies = [
        ("workflow", "0001_initial"),
        ("documents", "0014_delivery_reply_handler_private_notes"),
    ]

    operations = [
        migrations.AddField(
            model_name="assignment",
            name="share_note",
            field=models.BooleanField(db_default=False, default=False, verbose_name="chia sẻ nội dung chỉ đạo với nơi gửi"),
        ),
        migrations.RunPython(keep_instructions_private, migrations.RunPython.noop),
    ]
