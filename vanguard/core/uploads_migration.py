"""Gives files uploaded before RandomName their random name (used by the org and
posts data migrations): a photo under media/public/ named after the person or
the upload could be fetched by guessing."""

import re

RANDOM = re.compile(r"/[0-9a-f]{32}\.[a-z0-9]{0,9}$")


def rename_public_files(apps, app_label, model_name, field_name, folder):
    from django.core.files.base import File

    from .uploads import RandomName

    model = apps.get_model(app_label, model_name)
    upload_to = RandomName(folder)
    for obj in model.objects.exclude(**{field_name: ""}).only("pk", field_name).iterator():
        field = getattr(obj, field_name)
        if RANDOM.search(field.name or ""):
            continue
        storage = field.storage
        if not storage.exists(field.name):
            continue
        old = field.name
        with storage.open(old, "rb") as handle:
            new = storage.save(upload_to(obj, old), File(handle))
        model.objects.filter(pk=obj.pk).update(**{field_name: new})
        storage.delete(old)
