# A centre's audit trail may hold finer chains of its own (vanguard/core/audit.py: a meeting's
# sign-ins), named by chain_key; the centre's own chain has the empty key, so every entry already
# written stays in the chain it was written in and hashes as before. Adding a column with a default
# rewrites no row on PostgreSQL (11+), so the append-only trigger is not involved. The chain-head
# index gains the key (a centre's head must not be read past its meetings' sign-ins); it is built
# before the old one is dropped, so appends keep an index meanwhile.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0010_audit_newest_and_trigram'),
        ('org', '0005_people_sorts'),
    ]

    operations = [
        migrations.AddField(
            model_name='auditentry',
            name='chain_key',
            field=models.CharField(blank=True, db_default='', default='', max_length=100, verbose_name='chain key'),
        ),
        migrations.AddIndex(
            model_name='auditentry',
            index=models.Index(fields=['chain', 'centre', 'chain_key', '-id'], name='audit_chain_key_head'),
        ),
        migrations.RemoveIndex(
            model_name='auditentry',
            name='core_audit_chain_head',
        ),
    ]
