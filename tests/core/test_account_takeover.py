"""Account takeover (issue 11, point 1): an office links, resets and deactivates
only accounts that act in its own centres alone; the rules hold in the services
(whatever a form shows) and every such action is audited in the centres concerned."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from tests.world import grant, make_user
from vanguard.core import accounts
from vanguard.core.models import AuditEntry
from vanguard.core.roles import Role
from vanguard.org import services

STRONG = "Chuangkou-2026-dangjian"


@pytest.fixture
def spare(world):
    """A person of the office's centre with no account yet."""
    return world.branch2_members[0]


@pytest.mark.django_db
class TestLinking:
    def test_office_cannot_link_another_centres_office_account(self, world, spare):
        with pytest.raises(ValidationError) as error:
            services.update_person(world.office, spare, user=world.outsider)
        assert "user" in error.value.message_dict
        spare.refresh_from_db()
        assert spare.user_id is None

    @pytest.mark.parametrize("kind", ["superuser", "admin-grant"])
    def test_office_cannot_link_an_administrators_account(self, world, spare, kind):
        target = world.admin if kind == "superuser" else grant(make_user("sysadmin"), Role.ADMIN)
        with pytest.raises(ValidationError):
            services.update_person(world.office, spare, user=target)
        assert not type(target).objects.get(pk=target.pk).check_password(STRONG)

    def test_linking_then_resetting_another_centres_office_fails_through_the_page(self, world, spare, login):
        client = login(world.office)
        response = client.post(reverse("org:person-edit", args=[spare.pk]), {
            "name": spare.name, "political_status": spare.political_status, "user": "outsider",
            "branch": spare.branch_id, "unit": spare.unit_id, "window": spare.window_id,
            "joined_party_on": "2010-07-01", "is_active": "on"})
        assert response.status_code == 200  # the form again, with the field's error
        assert "user" in response.context["form"].errors
        spare.refresh_from_db()
        assert spare.user_id is None
        # Nor can the office reach the account's password some other way.
        response = client.post(reverse("core:account-detail", args=[world.outsider.pk]), {"p-password": STRONG})
        assert response.status_code == 404
        world.outsider.refresh_from_db()
        assert not world.outsider.check_password(STRONG)

    def test_a_secretary_cannot_link_accounts_through_the_service(self, world):
        person = world.branch1_members[2]
        fresh = make_user("fresh")
        with pytest.raises(PermissionDenied):
            services.update_person(world.secretary, person, user=fresh)

    def test_an_account_belongs_to_one_person(self, world, spare):
        with pytest.raises(ValidationError):
            services.update_person(world.office, spare, user=world.member)

    def test_office_links_an_account_of_its_own_centre_audited_in_that_centre(self, world, spare):
        mine = grant(make_user("mine"), Role.SCORER, unit=world.department)
        services.update_person(world.office, spare, user=mine)
        spare.refresh_from_db()
        assert spare.user == mine
        rows = AuditEntry.objects.filter(model="core.user", object_id=str(mine.pk), verb="link account")
        assert [r.centre_id for r in rows] == [world.centre.pk]
        assert rows[0].changes["centres"] == [None, [world.centre.pk]]


@pytest.mark.django_db
class TestResetAndDeactivate:
    def _in_both_centres(self, world):
        """A secretary in the office's centre who is also the office of another centre."""
        both = grant(make_user("both"), Role.SECRETARY, organization=world.branch2)
        other_root = world.outsider.grants.get().organization
        return grant(both, Role.OFFICE, organization=other_root)

    def test_office_cannot_reset_an_account_with_a_grant_in_another_centre(self, world):
        both = self._in_both_centres(world)
        with pytest.raises(PermissionDenied):
            accounts.set_password(world.office, both, STRONG)
        with pytest.raises(PermissionDenied):
            accounts.set_active(world.office, both, False)
        both.refresh_from_db()
        assert both.is_active and not both.check_password(STRONG)

    def test_office_cannot_reset_an_admin_role_account_linked_in_its_centre(self, world, spare):
        sysadmin = grant(make_user("sysadmin"), Role.ADMIN)
        services.update_person(world.admin, spare, user=sysadmin)  # linked by an administrator
        with pytest.raises(PermissionDenied):
            accounts.set_password(world.office, sysadmin, STRONG)
        with pytest.raises(PermissionDenied):
            accounts.set_active(world.office, sysadmin, False)

    def test_the_page_refuses_too(self, world, login):
        both = self._in_both_centres(world)
        response = login(world.office).post(reverse("core:account-detail", args=[both.pk]), {"p-password": STRONG})
        assert response.status_code in (403, 200)
        both.refresh_from_db()
        assert not both.check_password(STRONG)

    def test_office_resets_and_deactivates_its_own_centres_accounts_audited(self, world):
        accounts.set_password(world.office, world.member, STRONG)
        accounts.set_active(world.office, world.member, False)
        world.member.refresh_from_db()
        assert world.member.check_password(STRONG) and not world.member.is_active
        verbs = set(AuditEntry.objects.filter(model="core.user", object_id=str(world.member.pk),
                                              centre=world.centre).values_list("verb", flat=True))
        assert {"reset password", "deactivate account"} <= verbs

    def test_outsider_cannot_touch_this_centres_accounts(self, world):
        with pytest.raises(PermissionDenied):
            accounts.set_password(world.outsider, world.member, STRONG)
