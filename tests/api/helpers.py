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
