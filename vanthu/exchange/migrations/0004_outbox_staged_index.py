from django.db import migrations, models

from vanthu.migrating import AddIndexConcurrently


class Migration(migrations.Migration):
    # The outbox keeps every message it sent: its index is built while senders go on writing.
    atomic = False

    dependencies = [
        ('exchange', '0003_staged_packages'),
    ]

    operations = [
        AddIndexConcurrently(
            model_name='outboxmessage',
            index=models.Index(condition=models.Q(('staged__isnull', False)), fields=['staged'], name='outbox_staged'),
        ),
    ]
