"""Seed the party's document types (Quy định 399-QĐ/TW; format guide 36-HD/VPTW)."""

from django.db import migrations

PARTY_TYPES = [
    ("NQ", "Nghị quyết"), ("QĐ", "Quyết định"), ("CT", "Chỉ thị"), ("KL", "Kết luận"),
    ("QC", "Quy chế"), ("QĐi", "Quy định"), ("TT", "Thông tri"), ("HD", "Hướng dẫn"),
    ("TB", "Thông báo"), ("BC", "Báo cáo"), ("KH", "Kế hoạch"), ("CTr", "Chương trình"),
    ("TTr", "Tờ trình"), ("CV", "Công văn"), ("BB", "Biên bản"), ("ĐA", "Đề án"),
    ("GM", "Giấy mời"), ("GGT", "Giấy giới thiệu"),
]


def seed(apps, schema_editor):
    DocumentType = apps.get_model("documents", "DocumentType")
    for i, (code, name) in enumerate(PARTY_TYPES):
        DocumentType.objects.get_or_create(code=code, defaults={"name": name, "sort_order": (i + 1) * 10})


class Migration(migrations.Migration):
    dependencies = [("documents", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
