from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "vanthu.search"
    label = "search"
    verbose_name = "Tìm kiếm"

    def ready(self) -> None:
        # Imported here: models cannot be imported before the app registry is ready.
        from vanthu.documents import events

        from . import tasks

        # Indexing is queued with the action (events.queue_work) and runs in the background after
        # the commit: a search may lag a moment behind.
        for event in (events.document_entered, events.document_changed, events.document_approved, events.document_issued):
            event.subscribe(tasks.queue_indexing, queued=True)
