"""Entries already written keep their hashes and are labelled version 1 (the database default);
new ones are hashed with the actor's id (version 2). See vanthu/audit/chain.py for why they are
not re-chained. The actor's id being hashed, a person who acted can no longer be deleted.
A check's reason grows to hold what a checkpoint comparison says."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0003_chaincheck'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='auditentry',
            name='hash_version',
            field=models.PositiveSmallIntegerField(db_default=1, default=2),
        ),
        migrations.AlterField(
            model_name='auditentry',
            name='actor',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name='chaincheck',
            name='reason',
            field=models.CharField(blank=True, max_length=500),
        ),
    ]
