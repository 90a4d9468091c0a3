from django.apps import AppConfig


class DirectionConfig(AppConfig):
    name = "vanthu.direction"
    label = "direction"
    verbose_name = "Chỉ đạo, điều hành"

    def ready(self) -> None:
        # Imported here: notices reads the models, which need the app registry.
        from vanthu.documents import events

        from . import notices, peer, schedule

        notices.register_kinds()
        schedule.register_kinds()
        # After the exchange's outbox rows, before the notices (events.py's lock order): a peer's
        # status on a document moves the tasks that travelled with it.
        events.delivery_moved.subscribe(peer.delivery_moved, order=events.OUTBOX + 5)
