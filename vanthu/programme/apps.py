from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammeConfig(AppConfig):
    name = "vanthu.programme"
    label = "programme"
    verbose_name = "Chương trình ứng dụng CNTT"

    def ready(self) -> None:
        # Imported here: the notifications registry is filled once the apps are loaded.
        from vanthu.notifications import kinds

        kinds.register("programme_regulation", _("Quy chế, quy định cần nghiên cứu, quán triệt"))
        kinds.register("programme_training", _("Lớp tập huấn, bồi dưỡng"))
        kinds.register("programme_inspection", _("Kiểm tra, giám sát và kiến nghị"))
        kinds.register("programme_infrastructure", _("Rà soát hạ tầng công nghệ thông tin"))
