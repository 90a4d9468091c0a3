from django.apps import AppConfig


class ArchiveConfig(AppConfig):
    name = "vanthu.archive"
    label = "archive"
    verbose_name = "Lưu trữ hồ sơ"

    def ready(self) -> None:
        # Imported here: the notification kinds' labels are lazy, the registry is ready now.
        from . import notices

        notices.register_kinds()
