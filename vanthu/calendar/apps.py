from django.apps import AppConfig


class CalendarConfig(AppConfig):
    name = "vanthu.calendar"
    label = "calendar"
    verbose_name = "Lịch làm việc"

    def ready(self) -> None:
        from django.core.signals import request_started

        # Imported here: models cannot be imported before the app registry is ready.
        from . import workdays

        # A new request checks once whether an administrator changed a year in another process.
        request_started.connect(workdays.recheck_soon, dispatch_uid="calendar.recheck_soon")
