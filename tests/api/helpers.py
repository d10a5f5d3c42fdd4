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


def check_reads_by_role(api, world, url, model, obj):
    """Every role lists exactly its centre's rows (an administrator all of
    them, the outsider none of ours) and gets `obj` in detail, or 404."""
    ours = set(model.objects.filter(centre=world.centre).values_list("pk", flat=True))
    for role in ROLES:
        client = api(getattr(world, role))
        got = ids(client.get(url))
        assert got == reference_ids(world, model, role), role
        assert not got & ours if role == "outsider" else ours <= got, role
        response = client.get(f"{url}{obj.pk}/")
        assert response.status_code == (404 if role == "outsider" else 200), role
        if response.status_code == 200:
            assert response.json()["id"] == obj.pk


def check_non_editors_cannot_write(api, world, url, obj, create, change):
    """Each role below the office gets 403 on create, PATCH and PUT, and nothing changes."""
    count, audits = obj._meta.model.objects.count(), AuditEntry.objects.count()
    for role in NON_EDITORS:
        client = api(getattr(world, role))
        assert client.post(url, create, format="json").status_code == 403, role
        assert client.patch(f"{url}{obj.pk}/", change, format="json").status_code == 403, role
        assert client.put(f"{url}{obj.pk}/", {**create, **change}, format="json").status_code == 403, role
    assert obj._meta.model.objects.count() == count and AuditEntry.objects.count() == audits
