"""The party's document types (Quy định 399-QĐ/TW; format guide 36-HD/VPTW), seeded as data."""

from __future__ import annotations

from .models import DocumentType

PARTY_TYPES: list[tuple[str, str]] = [
    ("NQ", "Nghị quyết"), ("QĐ", "Quyết định"), ("CT", "Chỉ thị"), ("KL", "Kết luận"),
    ("QC", "Quy chế"), ("QĐi", "Quy định"), ("TT", "Thông tri"), ("HD", "Hướng dẫn"),
    ("TB", "Thông báo"), ("BC", "Báo cáo"), ("KH", "Kế hoạch"), ("CTr", "Chương trình"),
    ("TTr", "Tờ trình"), ("CV", "Công văn"), ("BB", "Biên bản"), ("ĐA", "Đề án"),
    ("GM", "Giấy mời"), ("GGT", "Giấy giới thiệu"),
]


def ensure_document_types(model: type[DocumentType] = DocumentType) -> None:
    """Create the seeded types that are missing; an administrator's edits are kept.

    A migration passes its historical model."""
    for i, (code, name) in enumerate(PARTY_TYPES):
        model.objects.get_or_create(code=code, defaults={"name": name, "sort_order": (i + 1) * 10})


def type_for_received(code: str, name: str) -> DocumentType:
    """The type of a document received from elsewhere: ours by code or name, else kept as the
    sender named it (tolerant in what we accept: the list is data, not code)."""
    found = DocumentType.objects.filter(code=code).first() or DocumentType.objects.filter(name=name).first()
    if found is None:
        found, _created = DocumentType.objects.get_or_create(
            code=(code or "KHAC")[:16], defaults={"name": (name or code or "Khác")[:128], "sort_order": 900})
    return found
