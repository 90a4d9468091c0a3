from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "vanthu.reports"
    label = "reports"
    verbose_name = "Thống kê, báo cáo"

    def ready(self) -> None:
        from vanthu.signatures.signals import verdict_changed

        from . import aggregates

        verdict_changed.connect(aggregates.verdict_changed, dispatch_uid="reports.verdict_changed")
