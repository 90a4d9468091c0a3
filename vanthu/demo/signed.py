"""The signatures on the demo's year of history: what each organisation's leader and seal signed.

The history is written in bulk (seed.py), so its signed copies are made here: each pooled draft
signed once by its leader (visible stamp with the name in the certificate) and sealed by the
organisation, then shared by the documents drawn from that pool. Not every organisation signed
from the start: a few grassroots organisations got their certificates only in the last months,
and a few documents elsewhere went out unsigned, as happens, so that the statistics have
something to act on. The verdicts are not written here: the worker checks every document in the
background when it starts (signatures/tasks.py), as it would for any document that missed its check.
"""

from __future__ import annotations

import hashlib
import random
from datetime import datetime, timedelta

from vanthu.documents.models import StoredFile
from vanthu.documents.storage import write_blob
from vanthu.signatures.actions import (
    certificate_holder,
    organization_certificate,
    person_certificate,
)
from vanthu.signatures.signers import signer_for
from vanthu.signatures.signing import LEADER_BOX, LEADER_FIELD, SEAL_FIELD, StampText, sign_pdf

from .world import Unit, World

LATE_SIGNERS = 8  # grassroots organisations that signed only their recent documents
SIGNING_SINCE_DAYS = 120  # …since this many days ago
UNSIGNED_SHARE = 0.02  # documents elsewhere that went out unsigned


class HistorySigning:
    def __init__(self, world: World, rng: random.Random, now: datetime):
        self.rng = rng
        self.since = now - timedelta(days=SIGNING_SINCE_DAYS)
        self.late = {u.org.id for u in rng.sample(world.grassroots, k=min(LATE_SIGNERS, len(world.grassroots)))}
        self.copies: dict[tuple[str, int], StoredFile] = {}
        self.new_files: list[StoredFile] = []

    def signs(self, unit: Unit, at: datetime) -> bool:
        """Whether this organisation's document issued at `at` went out signed."""
        if unit.org.id in self.late and at < self.since:
            return False
        return self.rng.random() >= UNSIGNED_SHARE

    def copy(self, unit: Unit, leader, pdf: bytes, text: str) -> StoredFile | None:
        """The pooled draft signed by `leader` and sealed by the organisation (once per pool)."""
        key = (hashlib.sha256(pdf).hexdigest(), leader.id)
        found = self.copies.get(key)
        if found is not None:
            return found
        person, seal = person_certificate(leader, unit.org.id), organization_certificate(unit.org.id)
        if person is None or seal is None:
            return None
        sig = unit.signatories[leader.id]
        block = " ".join(x for x in (sig.authority, sig.position) if x)
        data = sign_pdf(pdf, signer_for(person), field_name=LEADER_FIELD, reason="Duyệt văn bản",
                        stamp=StampText(certificate_holder(person), block, box=LEADER_BOX))
        data = sign_pdf(data, signer_for(seal), field_name=SEAL_FIELD, reason="Phát hành văn bản",
                        stamp=StampText(certificate_holder(seal), "", seal_label=unit.org.short_name))
        stored = self.copies[key] = StoredFile(sha256=write_blob(data), size=len(data), page_count=1, text=text)
        self.new_files.append(stored)
        return stored
