from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembershipConfig(AppConfig):
    name = "vanthu.membership"
    label = "membership"
    verbose_name = "Tổ chức đảng và đảng viên"

    def ready(self) -> None:
        # Imported here: the notifications app's registry is filled once the apps are ready.
        from vanthu.documents import events
        from vanthu.exchange import extras
        from vanthu.notifications import kinds

        from . import peer_transfers

        # In the app only by default: a mail would carry the news of a member's move out of VanThu.
        kinds.register("party_transfer_in", _("Đảng viên chuyển sinh hoạt đến, chờ tiếp nhận"))
        kinds.register("party_transfer_accepted", _("Tổ chức mới đã tiếp nhận đảng viên chuyển đi"))
        kinds.register("party_transfer_refused", _("Tổ chức nhận ở hệ thống khác không tiếp nhận đảng viên chuyển đi"))
        # Transfers to and from another installation travel with their letter (peer_transfers.py):
        # the record in the letter's package, the answer as the letter's status.
        extras.register_package_extra(peer_transfers.package_extra)
        extras.register_received_extra(peer_transfers.NAME_PREFIX, peer_transfers.received_record)
        # After the exchange's outbox rows and direction's tasks (events.py's lock order).
        events.delivery_moved.subscribe(peer_transfers.delivery_moved, order=events.OUTBOX + 6)
