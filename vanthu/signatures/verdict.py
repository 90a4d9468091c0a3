"""The statistics' question: was a document electronically authenticated?

Every signature valid and one of them an organisation's, by the newest report of the file that
counts. `None` while no report exists yet (not checked is unknown, never yes).
"""

from __future__ import annotations

from collections.abc import Iterable

from .models import SignatureReport


def documents_authenticated(document_ids: Iterable[int]) -> dict[int, bool | None]:
    """The verdict for many documents in one query (issuing to 150 recipients, rebuilds)."""
    ids = sorted(set(document_ids))
    verdict: dict[int, bool | None] = dict.fromkeys(ids)
    for chunk_start in range(0, len(ids), 500):
        chunk = ids[chunk_start:chunk_start + 500]
        rows = SignatureReport.objects.current().filter(document_id__in=chunk).values_list("document_id", "authenticated")
        for doc_id, authenticated in rows:
            verdict[doc_id] = authenticated
    return verdict


def document_authenticated(document_id: int) -> bool | None:
    return documents_authenticated([document_id])[document_id]
