from django.db import migrations


def forwards(apps, schema_editor):
    from vanguard.core.uploads_migration import rename_public_files

    rename_public_files(apps, "posts", "VanguardPost", "photo", "public/posts")


class Migration(migrations.Migration):
    dependencies = [("posts", "0003_alter_vanguardpost_photo")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
