"""Seed the party's document types."""

from django.db import migrations

from vanthu.documents.doctypes import ensure_document_types


def seed(apps, schema_editor):
    ensure_document_types(apps.get_model("documents", "DocumentType"))


class Migration(migrations.Migration):
    dependencies = [("documents", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
