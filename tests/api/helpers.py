"""Shared assertions of the API tests."""

from vanguard.core.models import AuditEntry

# Every user of the world fixture except the anonymous public.
ROLES = ["admin", "office", "secretary", "scorer", "liaison", "handler", "member", "outsider"]


def audit_rows(user, obj, action):
    return AuditEntry.objects.filter(actor=user, model=obj._meta.label_lower, object_id=str(obj.pk), action=action)


def ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def has_chinese(text):
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


# Reference data (floors, units, windows, the party tree) is read by everyone
# working in the centre and written only by its office or an administrator.
CENTRE_READERS = ["office", "secretary", "scorer", "liaison", "handler", "member"]
NON_EDITORS = ["secretary", "scorer", "liaison", "handler", "member"]


def reference_ids(world, model, role):
    """What `role` should see of a centre-scoped model, written out by hand."""
    if role == "admin":
        return set(model.objects.values_list("pk", flat=True))
    centre = world.other_centre if role == "outsider" else world.centre
    return set(model.objects.filter(centre=centre).values_list("pk", flat=True))
