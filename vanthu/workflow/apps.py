from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "vanthu.workflow"
    label = "workflow"
    verbose_name = "Xử lý văn bản"

    def ready(self) -> None:
        # Imported here: models cannot be imported before the app registry is ready.
        from vanthu.documents import events

        # (notices reads the models too)
        from . import notices

        # Notices in the action's transaction, last (documents/events.py): the people concerned are
        # told exactly when the arrival or the assignment commits.
        notices.register_kinds()
        events.document_issued.subscribe(notices.document_issued, order=events.NOTIFICATIONS)
        events.deliveries_created.subscribe(notices.deliveries_created, order=events.NOTIFICATIONS)
        events.assignment_changed.subscribe(notices.assignment_changed, order=events.NOTIFICATIONS)
        events.document_shared.subscribe(notices.document_shared, order=events.NOTIFICATIONS)

        # Need to know: a person sees the incoming documents assigned to them. The rule lives in
        # documents/access.py, which cannot read this app's tables (a layer up), so it is told here.
        from vanthu.documents import access

        from .models import Assignee

        access.register_assigned_deliveries(Assignee.objects.delivery_ids_of)
