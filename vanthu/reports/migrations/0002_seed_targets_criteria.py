"""Seed the Bloc's targets and the evaluation criteria; administrators change them afterwards."""

from decimal import Decimal

from django.db import migrations

TARGETS = [
    (2026, Decimal("0.95"), None, "Năm thứ nhất: 95% văn bản trao đổi dưới dạng điện tử"),
    (2027, Decimal("1"), Decimal("1"), "Năm thứ hai: 100% văn bản điện tử và được xác thực điện tử"),
]
CRITERIA = [
    ("dien-tu", "Tỷ lệ văn bản trao đổi dưới dạng điện tử", "electronic_share", Decimal("40"), True, 10),
    ("xac-thuc", "Tỷ lệ văn bản được xác thực điện tử (ký số hợp lệ)", "authenticated_share", Decimal("30"), True, 20),
    ("dung-han", "Tỷ lệ văn bản xử lý đúng hạn", "on_time_share", Decimal("30"), True, 30),
    ("tap-huan", "Tham gia tập huấn ứng dụng công nghệ thông tin", "manual", Decimal("0"), False, 40),
]


def seed(apps, schema_editor):
    Target = apps.get_model("reports", "Target")
    Criterion = apps.get_model("reports", "Criterion")
    for year, el, auth, note in TARGETS:
        Target.objects.get_or_create(year=year, defaults={"electronic_share": el, "authenticated_share": auth, "note": note})
    for code, name, source, weight, active, order in CRITERIA:
        Criterion.objects.get_or_create(code=code, defaults={"name": name, "source": source, "weight": weight, "is_active": active, "sort_order": order})


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
