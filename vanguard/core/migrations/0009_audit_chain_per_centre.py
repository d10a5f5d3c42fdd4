# The audit trail becomes one hash chain per service centre (vanguard/core/audit.py), so that
# writers in two centres no longer wait on one lock. The entries already written keep the one
# chain they were written in: they get chain = 1 (WHOLE_TRAIL) and verify as before; new
# entries default to 2 (PER_CENTRE). Adding a column with a default rewrites no row on
# PostgreSQL (11+), so the append-only trigger is not involved.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0008_uploadjob'),
        ('org', '0003_random_photo_names'),
    ]

    operations = [
        migrations.AddField(
            model_name='auditentry',
            name='chain',
            field=models.PositiveSmallIntegerField(default=1, verbose_name='chain'),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name='auditentry',
            name='chain',
            field=models.PositiveSmallIntegerField(default=2, verbose_name='chain'),
        ),
        migrations.AddIndex(
            model_name='auditentry',
            index=models.Index(fields=['chain', 'centre', '-id'], name='core_audit_chain_head'),
        ),
    ]
