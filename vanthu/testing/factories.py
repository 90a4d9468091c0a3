"""Factories for tests and benchmarks: organisations, people with roles, PDFs, documents."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from django.test import TestCase, override_settings

from vanthu.accounts.models import User
from vanthu.documents import actions
from vanthu.documents.models import Delivery, Document, Signatory
from vanthu.documents.pdfgen import make_pdf
from vanthu.organizations.models import Membership, Organization, OrgKind

_seq = itertools.count(1)

IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default", "slow"]}}


@contextmanager
def background_done() -> Iterator[None]:
    """What the actions in the block leave for after their commit (indexing, signature checks)
    runs when the block ends, its background tasks at once: as a prompt worker would. (A test's
    transaction never commits, so nothing of it would run otherwise.)"""
    with override_settings(TASKS=IMMEDIATE_TASKS), TestCase.captureOnCommitCallbacks(execute=True):
        yield


def make_org(name: str | None = None, *, short_name: str = "ĐU", code: str | None = None,
             parent: Organization | None = None, kind: str = OrgKind.GRASSROOTS_COMMITTEE,
             numbering_style: str = "party", term_label: str = "2025-2030") -> Organization:
    n = next(_seq)
    return Organization.objects.create(
        name=name or f"Đảng bộ cơ quan thử nghiệm {n}", short_name=short_name,
        code=code or f"000.00.{n:02d}.H26", parent=parent, kind=kind,
        numbering_style=numbering_style, term_label=term_label,
        term_start=date(2025, 10, 1), term_end=date(2030, 9, 30),
    )


def make_user(org: Organization | None = None, *roles: str, username: str | None = None,
              full_name: str = "", password: str = "demo") -> User:
    n = next(_seq)
    user = User.objects.create_user(username=username or f"user{n}", password=password, full_name=full_name or f"Người dùng {n}")
    for role in roles:
        Membership.objects.create(user=user, organization=org, role=role)
        if role == "leader":
            # A leader signs the organisation's documents on behalf of its standing committee.
            Signatory.objects.create(organization=org, user=user, form="T/M", on_behalf_of="BAN THƯỜNG VỤ", position="BÍ THƯ")
    return user


def make_installation_admin(org: Organization | None = None, *, full_name: str = "Quản trị hệ thống") -> User:
    """The installation's administrator (a superuser), with the admin role in `org` if given, as the demo's."""
    user = make_user(org, *(["admin"] if org is not None else []), full_name=full_name)
    user.is_superuser = True
    user.save(update_fields=["is_superuser"])
    return user


def pdf_bytes(text: str = "Về việc triển khai nhiệm vụ chuyển đổi số năm 2026", pages: int = 1) -> bytes:
    return make_pdf([[f"{text} — trang {i + 1}"] for i in range(pages)])


def upload(name: str = "vanban.pdf", data: bytes | None = None) -> actions.Upload:
    return actions.Upload(name=name, data=data if data is not None else pdf_bytes())


def fresh(user: User) -> User:
    """Drop the cached roles after memberships change."""
    if hasattr(user, "_vanthu_roles"):
        del user._vanthu_roles
    return user


def draft(issuer: Organization, author: User, recipients: list[Organization], *, doc_type: str = "CV",
          subject: str = "Về việc báo cáo kết quả thực hiện nhiệm vụ quý IV", signer: User | None = None) -> Document:
    """A draft for `signer` to sign (else the organisation's only signatory, when it has one)."""
    signatory = Signatory.objects.filter(organization=issuer, user=signer).first() if signer is not None else None
    return actions.create_draft(
        user=author, organization=issuer, doc_type=doc_type, subject=subject,
        recipient_ids=[o.id for o in recipients], main_file=upload(), signatory_id=signatory.id if signatory else None,
    )


def issued(issuer: Organization, *, specialist: User, leader: User, clerk: User,
           recipients: list[Organization], doc_type: str = "CV", subject: str | None = None) -> Document:
    doc = draft(issuer, specialist, recipients, doc_type=doc_type, signer=leader, **({"subject": subject} if subject else {}))
    actions.submit_document(doc, user=specialist)
    actions.approve_document(doc, user=leader)
    return actions.issue_document(doc, user=clerk)


def delivery_to(doc: Document, org: Organization) -> Delivery:
    return Delivery.objects.get(document=doc, recipient=org)
