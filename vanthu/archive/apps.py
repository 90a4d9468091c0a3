from django.apps import AppConfig


class ArchiveConfig(AppConfig):
    name = "vanthu.archive"
    label = "archive"
    verbose_name = "Lưu trữ hồ sơ"

    def ready(self) -> None:
        # Imported here: models and the notification registry are ready only now.
        from vanthu.documents import access as document_access
        from vanthu.documents import events

        from . import access, notices, subscribers

        notices.register_kinds()
        # After handover a document is read by the archive's rules, on every page, API and search.
        document_access.register_handed_over(access.sealed_documents, access.archive_readable_documents, access.disposed_documents)
        # Long-term evidence at issue and at receipt, in the background after the commit.
        events.document_issued.subscribe(subscribers.document_issued, queued=True, when=subscribers.evidence_wanted)
        events.document_entered.subscribe(subscribers.document_entered, queued=True, when=subscribers.evidence_wanted)
