from django.apps import AppConfig


class SignaturesConfig(AppConfig):
    name = "vanthu.signatures"
    verbose_name = "Chữ ký số"

    def ready(self) -> None:
        # Imported here: models cannot be imported before the app registry is ready.
        from vanthu.documents import events, signing

        from . import actions, hexstrings, subscribers

        hexstrings.install()
        signing.register_signer(actions.PdfSigner())
        # The copies' reports and the recipients' arrival check: in the action's transaction,
        # first of its subscribers (the statistics then count the verdict).
        events.document_approved.subscribe(subscribers.document_approved, order=events.SIGNATURES)
        events.document_issued.subscribe(subscribers.document_issued, order=events.SIGNATURES)
        # A PDF that entered is checked in the background (revocation data may be fetched).
        events.document_entered.subscribe(subscribers.document_entered, queued=True)
