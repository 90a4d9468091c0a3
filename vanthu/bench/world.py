"""Small worlds for benchmarks: organisations, people with roles, approved drafts.

Built with bulk ORM writes because preparing is not what is measured; every run gets its own
organisations (codes carry a run tag), so runs never collide in one benchmark database.
"""

from __future__ import annotations

import base64
import os
import time
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.test import Client
from django.utils import timezone

from vanthu.accounts.actions import issue_api_token
from vanthu.accounts.models import TwoFactor, User
from vanthu.documents.models import DocStatus, Document, DocumentType
from vanthu.organizations.models import Membership, Organization, OrgKind, Role

_BASE36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def run_tag() -> str:
    """A short upper-case tag, unique per run: milliseconds since the epoch in base 36."""
    n = int(time.time() * 1000)
    out = ""
    while n:
        n, r = divmod(n, 36)
        out = _BASE36[r] + out
    return out


@dataclass
class Issuer:
    org: Organization
    clerk: User
    leader: User


def make_orgs(tag: str, prefix: str, count: int, *, parent: Organization | None = None,
              kind: str = OrgKind.GRASSROOTS_COMMITTEE) -> list[Organization]:
    orgs = [
        Organization(
            kind=kind, name=f"Đảng bộ thử tải {prefix} {tag} số {i + 1}", short_name="ĐU",
            code=f"B.{prefix}.{tag}.{i + 1}", parent=parent, term_label="2025-2030",
            term_start=date(2025, 10, 1), term_end=date(2030, 9, 30),
        )
        for i in range(count)
    ]
    return Organization.objects.bulk_create(orgs)


def make_person(org: Organization, tag: str, *roles: str) -> User:
    username = f"bench-{tag}-{org.id}-{'-'.join(roles)}"
    user = User(username=username, full_name=f"Người thử tải {username}")
    user.set_unusable_password()  # nobody signs in; hashing would only slow preparing down
    user.save()
    Membership.objects.bulk_create([Membership(user=user, organization=org, role=r) for r in roles])
    return user


def make_issuer(tag: str, prefix: str) -> Issuer:
    org = make_orgs(tag, prefix, 1, kind=OrgKind.BLOC_COMMITTEE)[0]
    org.short_name = "ĐUK"
    org.save(update_fields=["short_name"])
    return Issuer(org=org, clerk=make_person(org, tag, Role.CLERK), leader=make_person(org, tag, Role.LEADER))


def approved_documents(issuer: Issuer, recipient_lists: list[list[int]], *, doc_type: str,
                       subject: str = "Về việc thử tải hệ thống văn bản điện tử") -> list[int]:
    """Approved drafts, one per recipient list, ready for the clerk to issue; returns their ids."""
    dtype = DocumentType.objects.get(code=doc_type)
    now = timezone.now()
    docs = Document.objects.bulk_create([
        Document(
            issuer=issuer.org, doc_type=dtype, subject=f"{subject} ({i + 1})", status=DocStatus.APPROVED,
            place=issuer.org.place, created_by=issuer.clerk, submitted_at=now,
            approved_by=issuer.leader, approved_at=now, signer_name=issuer.leader.full_name,
            page_count=1,
        )
        for i in range(len(recipient_lists))
    ])
    through = Document.recipients.through
    through.objects.bulk_create([
        through(document_id=doc.id, organization_id=rid)
        for doc, rids in zip(docs, recipient_lists, strict=True) for rid in rids
    ], batch_size=5000)
    return [d.id for d in docs]


def _host() -> str:
    """A host name the installation answers to (the test client's own is not always allowed)."""
    return next((h for h in settings.ALLOWED_HOSTS if h not in ("*",) and not h.startswith(".")), "localhost")


class HttpsClient(Client):
    """Every request made over HTTPS. (Django's Client has no `secure` argument of its own: given
    to the constructor it becomes a meaningless environ key, and each request says `secure=False`.)"""

    def request(self, **request):
        request.update({"wsgi.url_scheme": "https", "SERVER_PORT": "443"})
        return super().request(**request)


def browser(user: User | None = None) -> Client:
    """Django's test client (signed in as `user`, if given): a request through every middleware,
    URL resolution, the view and the template, without the socket. Secure, so that an
    installation that redirects plain HTTP to HTTPS answers it as it answers its browsers.

    Make one and keep it: each client loads the middleware again on its first request (the
    static files' middleware reads the whole static tree then), which is a server's start-up,
    not a request."""
    client = HttpsClient(HTTP_HOST=_host())
    if user is not None:
        enrol_two_factor(user)
        client.force_login(user)
    return client


def enrol_two_factor(user: User) -> None:
    """Give the person a confirmed two-factor device, as a leader or an administrator has in
    production (VANTHU_2FA_REQUIRED_ROLES): without it every page would answer with a redirect
    to the enrolment page and the API with a 403, and a benchmark would time those instead."""
    TwoFactor.objects.get_or_create(user=user, defaults={"secret": base64.b32encode(os.urandom(20)).decode(),
                                                         "confirmed_at": timezone.now()})


def bearer(user: User) -> dict[str, str]:
    """The request header of a fresh API token of `user`, for `client.get(…, **bearer(user))`."""
    enrol_two_factor(user)
    raw, _token = issue_api_token(user=user)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
