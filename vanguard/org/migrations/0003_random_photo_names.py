from django.db import migrations


def forwards(apps, schema_editor):
    from vanguard.core.uploads_migration import rename_public_files

    rename_public_files(apps, "org", "Person", "photo", "public/people")


class Migration(migrations.Migration):
    dependencies = [("org", "0002_alter_person_photo")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
