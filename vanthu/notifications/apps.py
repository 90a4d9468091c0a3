from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from . import kinds


class NotificationsConfig(AppConfig):
    name = "vanthu.notifications"
    label = "notifications"
    verbose_name = "Thông báo"

    def ready(self) -> None:
        # Messages from the installation's administrators and the system itself.
        kinds.register("system", _("Thông báo của hệ thống"))
