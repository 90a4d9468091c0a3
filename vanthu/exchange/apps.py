from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "vanthu.exchange"
    label = "exchange"
    verbose_name = "Trao đổi liên thông"

    def ready(self) -> None:
        # Imported here: models cannot be imported before the app registry is ready.
        from vanthu.documents import events

        from . import outbox

        # Outbox rows in the action's transaction (nothing lost if the process dies after commit).
        events.document_issued.subscribe(outbox.document_issued, order=events.OUTBOX)
        events.delivery_moved.subscribe(outbox.delivery_moved, order=events.OUTBOX)
