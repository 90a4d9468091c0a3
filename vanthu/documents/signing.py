"""Signing a document's PDF is the signatures app's work; the core only knows when it happens.

Approval and issue ask the registered `Signer` (the signatures app registers one in its
`ready()`) for a signed copy, **outside any transaction**: signing may call a timestamp
authority and checking the copy may fetch revocation lists, and neither may hold a row lock or
a register's counter. The copy then enters in the action's transaction, and the event that
follows carries it, so that the signer's own subscriber keeps what it checked (`evidence`).

Without a signer, or when it has no certificate for the person or the organisation, the
document simply stays unsigned ("for reference only"); approval and issue never fail for that.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from .models import Document, DocumentFile


@dataclass
class SignedCopy:
    """A copy of the document's PDF that a certificate signed, made outside any transaction."""

    data: bytes
    suffix: str  # the file name's mark: "signed" (a leader's signature), "sealed" (the organisation's)
    source: DocumentFile  # the file that was signed
    evidence: Any = None  # what the signer checked of the copy; only its own subscriber reads it
    file: DocumentFile | None = None  # the copy's row, once it entered
    holder: str = ""  # the name in the certificate that signed (the document's "Người ký")


class Signer(Protocol):
    def will_seal(self, document: Document) -> bool:
        """Whether `seal_issue` would seal this document (its organisation has a seal), from the
        database alone: issuing asks it inside its transaction."""

    def sign_approval(self, document: Document, *, user) -> SignedCopy | None:
        """The approving leader's signature on the file that counts, or None."""

    def seal_issue(self, document: Document, *, user) -> SignedCopy | None:
        """The organisation's signature with its visible stamp on the numbered document, or None."""


class _Unsigned:
    def will_seal(self, document: Document) -> bool:
        return False

    def sign_approval(self, document: Document, *, user) -> None:
        return None

    def seal_issue(self, document: Document, *, user) -> None:
        return None


_signer: Signer = _Unsigned()


def register_signer(signer: Signer) -> None:
    global _signer
    _signer = signer


def signer() -> Signer:
    return _signer
