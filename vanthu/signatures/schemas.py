"""API shapes of the signatures app."""

from __future__ import annotations

from datetime import datetime

from ninja import Schema


class SignatureOut(Schema):
    signer: str
    organization: str
    signed_at: str | None
    status: str
    reasons: list[str]
    messages: list[str] = []
    is_organization: bool = False
    timestamped: bool = False
    field: str = ""


class VerifyOut(Schema):
    status: str
    signatures: list[SignatureOut]


class DocumentSignaturesOut(Schema):
    status: str
    authenticated: bool
    checked_at: datetime | None
    file: str | None
    signatures: list[SignatureOut]


class TrustRootOut(Schema):
    id: int
    name: str
    kind: str
    fingerprint: str
    subject: str
    not_before: datetime
    not_after: datetime
    is_enabled: bool


class TrustRootList(Schema):
    items: list[TrustRootOut]
    count: int


class CertificateOut(Schema):
    id: int
    label: str
    subject: str
    fingerprint: str
    owner: str
    user_id: int | None
    organization_id: int | None
    key_storage: str
    not_before: datetime
    not_after: datetime
    is_active: bool
