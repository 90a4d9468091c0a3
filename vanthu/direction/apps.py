from django.apps import AppConfig


class DirectionConfig(AppConfig):
    name = "vanthu.direction"
    label = "direction"
    verbose_name = "Chỉ đạo, điều hành"

    def ready(self) -> None:
        # Imported here: notices reads the models, which need the app registry.
        from . import notices, schedule

        notices.register_kinds()
        schedule.register_kinds()
