from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembershipConfig(AppConfig):
    name = "vanthu.membership"
    label = "membership"
    verbose_name = "Tổ chức đảng và đảng viên"

    def ready(self) -> None:
        # Imported here: the notifications app's registry is filled once the apps are ready.
        from vanthu.notifications import kinds

        # In the app only by default: a mail would carry the news of a member's move out of VanThu.
        kinds.register("party_transfer_in", _("Đảng viên chuyển sinh hoạt đến, chờ tiếp nhận"))
        kinds.register("party_transfer_accepted", _("Tổ chức mới đã tiếp nhận đảng viên chuyển đi"))
