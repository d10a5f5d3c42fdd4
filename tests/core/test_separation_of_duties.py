"""Separation of duties (三员分立, issue 11 point 2): the system administrator
configures, the security administrator manages accounts, roles and grants, the
audit administrator reads the audit trail and nothing else; no account holds two
of them; each one's actions are in the trail the audit administrator reads."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from tests.world import grant, make_user
from vanguard.core import accounts, services
from vanguard.core.models import AuditEntry, Grant
from vanguard.core.roles import Role
from vanguard.core.scoping import forget_scope

STRONG = "Chuangkou-2026-dangjian"


@pytest.fixture
def duties(world):
    users = {}
    for username, role in (("sysadmin", Role.SYSTEM_ADMIN), ("secadmin", Role.SECURITY_ADMIN),
                           ("auditor", Role.AUDIT_ADMIN)):
        users[username] = accounts.grant_role(world.admin, make_user(username), role).user
        forget_scope(users[username])
    return users


@pytest.mark.django_db
class TestOneDutyPerAccount:
    @pytest.mark.parametrize("second", [Role.SYSTEM_ADMIN, Role.AUDIT_ADMIN, Role.ADMIN])
    def test_the_grant_service_refuses_a_second_duty(self, world, duties, second):
        with pytest.raises(ValidationError) as error:
            accounts.grant_role(world.admin, duties["secadmin"], second)
        assert "role" in error.value.message_dict

    def test_the_database_refuses_it_too(self, world, duties):
        with pytest.raises(IntegrityError), transaction.atomic():
            Grant.objects.create(user=duties["auditor"], role=Role.SECURITY_ADMIN)

    def test_a_superuser_holds_no_duty(self, world):
        with pytest.raises(ValidationError):
            accounts.grant_role(world.admin, world.admin, Role.AUDIT_ADMIN)


@pytest.mark.django_db
class TestSecurityAdministrator:
    def test_manages_accounts_and_grants_in_any_centre(self, world, duties, login):
        sec = duties["secadmin"]
        user = accounts.create_account(sec, username="zhang", password=STRONG)
        accounts.grant_role(sec, user, Role.SECRETARY, organization=world.branch2)
        accounts.set_password(sec, world.outsider, STRONG)
        accounts.set_active(sec, world.office, False)
        assert login(sec).get(reverse("core:account-list")).status_code == 200

    @pytest.mark.parametrize("role", [Role.ADMIN, Role.SYSTEM_ADMIN, Role.AUDIT_ADMIN, Role.SECURITY_ADMIN])
    def test_cannot_make_anyone_an_administrator(self, world, duties, role):
        with pytest.raises(PermissionDenied):
            accounts.grant_role(duties["secadmin"], make_user("crony"), role)

    @pytest.mark.parametrize("target", ["sysadmin", "auditor", "admin"])
    def test_cannot_take_over_another_administrator(self, world, duties, target):
        account = world.admin if target == "admin" else duties[target]
        with pytest.raises(PermissionDenied):
            accounts.set_password(duties["secadmin"], account, STRONG)
        with pytest.raises(PermissionDenied):
            accounts.set_active(duties["secadmin"], account, False)

    def test_reads_no_audit_trail_and_sets_no_configuration(self, world, duties, login):
        client = login(duties["secadmin"])
        assert client.get(reverse("core:audit-list")).status_code == 403
        assert client.get(reverse("core:calendar")).status_code == 403


@pytest.mark.django_db
class TestSystemAdministrator:
    def test_configures_but_manages_no_account_and_reads_no_audit(self, world, duties, login):
        sys = duties["sysadmin"]
        services.set_calendar_override(sys, date=datetime.date(2027, 10, 8), kind="holiday", note="国庆")
        client = login(sys)
        assert client.get(reverse("core:calendar")).status_code == 200
        assert client.get(reverse("core:account-list")).status_code == 403
        assert client.get(reverse("core:audit-list")).status_code == 403
        with pytest.raises(PermissionDenied):
            accounts.set_password(sys, world.member, STRONG)
        with pytest.raises(PermissionDenied):
            accounts.grant_role(sys, world.member, Role.SECRETARY, organization=world.branch1)


@pytest.mark.django_db
class TestAuditAdministrator:
    def test_reads_every_administrators_actions_and_nothing_else(self, world, duties, login):
        from rest_framework.test import APIClient

        api = APIClient()
        api.force_authenticate(user=duties["auditor"])
        sec, sys, aud = duties["secadmin"], duties["sysadmin"], duties["auditor"]
        accounts.set_password(sec, world.member, STRONG)
        services.set_calendar_override(sys, date=datetime.date(2027, 10, 8), kind="holiday")
        client = login(aud)
        response = client.get(reverse("core:audit-list"))
        assert response.status_code == 200
        seen = set(AuditEntry.objects.visible_to(aud).values_list("actor_name", flat=True))
        assert {"secadmin", "sysadmin", "admin"} <= seen
        # Nothing else: no accounts, no configuration, no people, no writing.
        assert client.get(reverse("core:account-list")).status_code == 403
        assert client.get(reverse("core:calendar")).status_code == 403
        assert api.get("/api/v1/people/").json()["results"] == []
        assert api.post("/api/v1/floors/", {}, format="json").status_code == 403
        with pytest.raises(PermissionDenied):
            accounts.set_password(aud, world.member, STRONG)

    def test_the_office_still_reads_only_its_centre(self, world, duties):
        accounts.set_password(duties["secadmin"], world.outsider, STRONG)
        assert not AuditEntry.objects.visible_to(world.office).filter(object_id=str(world.outsider.pk),
                                                                      model="core.user").exists()


@pytest.mark.django_db
def test_the_demo_admin_still_does_everything(world, duties):
    assert accounts.can_manage_user(world.admin, duties["auditor"])
    office2 = grant(make_user("office2"), Role.OFFICE, organization=world.root)
    assert accounts.can_grant(world.admin, Role.ADMIN) and not accounts.can_grant(office2, Role.SECURITY_ADMIN)
