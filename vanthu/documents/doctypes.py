"""The party's document types (Quy định 399-QĐ/TW; format guide 36-HD/VPTW), seeded as data."""

from __future__ import annotations

PARTY_TYPES: list[tuple[str, str]] = [
    ("NQ", "Nghị quyết"), ("QĐ", "Quyết định"), ("CT", "Chỉ thị"), ("KL", "Kết luận"),
    ("QC", "Quy chế"), ("QĐi", "Quy định"), ("TT", "Thông tri"), ("HD", "Hướng dẫn"),
    ("TB", "Thông báo"), ("BC", "Báo cáo"), ("KH", "Kế hoạch"), ("CTr", "Chương trình"),
    ("TTr", "Tờ trình"), ("CV", "Công văn"), ("BB", "Biên bản"), ("ĐA", "Đề án"),
    ("GM", "Giấy mời"), ("GGT", "Giấy giới thiệu"),
]


def ensure_document_types(model=None) -> None:
    """Create the seeded types that are missing; an administrator's edits are kept."""
    if model is None:
        from .models import DocumentType as model
    for i, (code, name) in enumerate(PARTY_TYPES):
        model.objects.get_or_create(code=code, defaults={"name": name, "sort_order": (i + 1) * 10})
