"""`Organization.at_peer` from the peers registered before it existed."""

from django.db import migrations
from django.db.models import Exists, OuterRef


def mark(apps, schema_editor) -> None:
    Organization = apps.get_model("organizations", "Organization")
    RemoteOrganization = apps.get_model("exchange", "RemoteOrganization")
    served = RemoteOrganization.objects.filter(organization=OuterRef("pk"), peer__is_active=True)
    Organization.objects.update(at_peer=Exists(served))


class Migration(migrations.Migration):
    dependencies = [
        ("exchange", "0001_initial"),
        ("organizations", "0003_organization_at_peer"),
    ]

    operations = [migrations.RunPython(mark, migrations.RunPython.noop)]
