"""Issuing seals outside any transaction, after the number is taken, and resumes after a failure."""

from __future__ import annotations

import pytest
from django.db import connection

from vanthu.documents import actions, signing
from vanthu.documents.models import Delivery, DocStatus, Document
from vanthu.documents.signing import SignedCopy
from vanthu.documents.storage import read_blob
from vanthu.errors import Unprocessable
from vanthu.testing import factories as f


class RecordingSigner:
    """Seals with the original bytes, remembering what it saw; fails while `broken` is set."""

    def __init__(self) -> None:
        self.seen: list[dict] = []
        self.broken = False

    def will_seal(self, document) -> bool:
        return True

    def sign_approval(self, document, *, user) -> SignedCopy | None:
        self.seen.append({"step": "approve", "in_transaction": connection.in_atomic_block})
        return None

    def seal_issue(self, document, *, user) -> SignedCopy | None:
        stored = Document.objects.get(pk=document.pk)
        self.seen.append({"step": "seal", "in_transaction": connection.in_atomic_block,
                          "number": stored.number, "status": stored.status})
        if self.broken:
            raise RuntimeError("the token was unplugged")
        source = document.files.select_related("file").get(role="main")
        return SignedCopy(data=read_blob(source.file_id) + b"\n% sealed\n", suffix="sealed", source=source)


@pytest.fixture
def recording_signer():
    real = signing.signer()
    fake = RecordingSigner()
    signing.register_signer(fake)
    yield fake
    signing.register_signer(real)


@pytest.mark.django_db(transaction=True)
def test_the_seal_is_made_outside_any_transaction_after_the_number_is_committed(world, recording_signer):
    a = world.a
    doc = f.draft(a.org, a.specialist, [world.b.org])
    actions.submit_document(doc, user=a.specialist)
    actions.approve_document(doc, user=a.leader)
    issued = actions.issue_document(doc, user=a.clerk)

    seal = next(s for s in recording_signer.seen if s["step"] == "seal")
    # Signing may call a timestamp authority: no row, no register counter is locked meanwhile,
    # and the number it puts on the page is already the document's, committed.
    assert seal == {"step": "seal", "in_transaction": False, "number": 1, "status": DocStatus.ISSUING}
    assert all(not s["in_transaction"] for s in recording_signer.seen)
    issued.refresh_from_db()
    assert issued.status == DocStatus.ISSUED and issued.authoritative_file.name.endswith(".sealed.pdf")
    assert Delivery.objects.filter(document=issued).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_failed_seal_keeps_the_number_and_issuing_again_resumes(world, recording_signer):
    a = world.a
    first = f.draft(a.org, a.specialist, [world.b.org])
    actions.submit_document(first, user=a.specialist)
    actions.approve_document(first, user=a.leader)
    recording_signer.broken = True
    with pytest.raises(RuntimeError):
        actions.issue_document(first, user=a.clerk)
    first.refresh_from_db()
    assert (first.status, first.number) == (DocStatus.ISSUING, 1)  # numbered, not delivered
    assert not Delivery.objects.filter(document=first).exists()

    recording_signer.broken = False
    actions.issue_document(first, user=a.clerk)
    first.refresh_from_db()
    assert (first.status, first.number) == (DocStatus.ISSUED, 1)  # the same number: none skipped
    assert Delivery.objects.filter(document=first).count() == 1
    second = f.issued(a.org, specialist=a.specialist, leader=a.leader, clerk=a.clerk, recipients=[world.b.org])
    assert second.number == 2


@pytest.mark.django_db
def test_a_document_without_recipients_is_refused_and_keeps_no_number(world):
    a = world.a
    doc = f.draft(a.org, a.specialist, [world.b.org])
    actions.submit_document(doc, user=a.specialist)
    actions.approve_document(doc, user=a.leader)
    doc.recipients.clear()
    with pytest.raises(Unprocessable) as exc:
        actions.issue_document(doc, user=a.clerk)
    assert exc.value.code == "recipients_required"
    doc.refresh_from_db()
    assert (doc.status, doc.number) == (DocStatus.APPROVED, None)
