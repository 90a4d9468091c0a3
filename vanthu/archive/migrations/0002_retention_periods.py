"""The retention periods of the archive's rules (vĩnh viễn, 70, 20, 10, 5 năm), editable afterwards."""

from django.db import migrations

PERIODS = [("VV", "Vĩnh viễn", None, 1), ("70", "70 năm", 70, 2), ("20", "20 năm", 20, 3),
           ("10", "10 năm", 10, 4), ("05", "5 năm", 5, 5)]


def seed(apps, schema_editor):
    period = apps.get_model("archive", "RetentionPeriod")
    for code, label, years, order in PERIODS:
        period.objects.get_or_create(code=code, defaults={"label": label, "years": years, "sort_order": order})


class Migration(migrations.Migration):
    dependencies = [("archive", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
