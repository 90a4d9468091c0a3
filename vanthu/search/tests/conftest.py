"""Search tests: documents made through the real actions, indexed through the real hooks."""

from __future__ import annotations

from datetime import date

import pytest

from vanthu.documents import actions
from vanthu.testing import factories as f


@pytest.fixture(autouse=True)
def immediate_tasks(settings):
    # Background work runs inline once the transaction commits (see `indexed` below).
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default", "slow"]}}


@pytest.fixture
def make_doc(world, django_capture_on_commit_callbacks):
    """Draft, submit, approve and (by default) issue a document from side `by` to `to`."""

    def make(subject: str, body: str = "Nội dung văn bản.", *, by=None, to=None, doc_type: str = "CV",
             urgency: str = "thuong", issue: bool = True):
        side = by or world.a
        recipients = to if to is not None else [world.b.org]
        with django_capture_on_commit_callbacks(execute=True):
            doc = actions.create_draft(
                user=side.specialist, organization=side.org, doc_type=doc_type, subject=subject, urgency=urgency,
                recipient_ids=[o.id for o in recipients], main_file=f.upload(data=f.pdf_bytes(body)),
            )
            if issue:
                actions.submit_document(doc, user=side.specialist)
                actions.approve_document(doc, user=side.leader)
                doc = actions.issue_document(doc, user=side.clerk)
        return doc

    return make


@pytest.fixture
def paper_doc(world, django_capture_on_commit_callbacks):
    """A clerk registers a paper document that arrived from outside, with its scan."""

    def make(subject: str, *, number_symbol: str, to=None, data: bytes | None = None, doc_type: str = "CV",
             issued: date = date(2026, 3, 2), sender: str = "Ủy ban nhân dân quận Ba Đình"):
        side = to or world.b
        with django_capture_on_commit_callbacks(execute=True):
            delivery = actions.register_paper_document(
                user=side.clerk, organization=side.org, sender_name=sender, number_symbol=number_symbol,
                issued_date=issued, doc_type=doc_type, subject=subject,
                file=f.upload(data=data if data is not None else f.pdf_bytes("Bản chụp văn bản giấy")),
            )
        return delivery.document

    return make


def ids(resp) -> list[int]:
    assert resp.status_code == 200, resp.content
    return [it["document_id"] for it in resp.json()["items"]]
