"""Shared helpers of the organisation page tests."""

from vanguard.core.models import AuditEntry


def text(response):
    return response.content.decode()


def audit_rows(user, obj, action):
    return AuditEntry.objects.filter(actor=user, model=obj._meta.label_lower, object_id=str(obj.pk), action=action)


def assert_login_redirect(response):
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
