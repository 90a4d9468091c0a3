from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "vanthu.reports"
    label = "reports"
    verbose_name = "Thống kê, báo cáo"

    def ready(self) -> None:
        # Imported here: models cannot be imported before the app registry is ready.
        from vanthu.documents import events
        from vanthu.signatures.signals import verdict_changed

        from . import aggregates

        # The statistics are kept in the action's transaction: never behind what they count.
        events.document_issued.subscribe(aggregates.document_issued, order=events.STATISTICS)
        events.deliveries_created.subscribe(aggregates.deliveries_changed, order=events.STATISTICS)
        events.delivery_moved.subscribe(aggregates.delivery_moved, order=events.STATISTICS)
        verdict_changed.connect(aggregates.verdict_changed, dispatch_uid="reports.verdict_changed")
