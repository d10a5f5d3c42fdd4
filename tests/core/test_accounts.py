"""Accounts and grants pages: the owner (office, admin), other roles, the outsider."""

import pytest
from django.urls import reverse

from vanguard.core.models import AuditEntry, Grant, User
from vanguard.core.scoping import scope_for

STRONG = "Chuangkou-2026-dangjian"


@pytest.mark.django_db
class TestAccountList:
    url = reverse("core:account-list")

    def test_office_sees_its_centres_accounts(self, world, login):
        response = login(world.office).get(self.url)
        names = {u.username for u in response.context["page"]}
        assert {"office", "secretary", "scorer", "liaison", "handler", "member"} <= names
        assert "outsider" not in names

    def test_outsider_sees_only_its_own(self, world, login):
        names = {u.username for u in login(world.outsider).get(self.url).context["page"]}
        assert names == {"outsider"}

    @pytest.mark.parametrize("who", ["secretary", "scorer", "liaison", "handler", "member"])
    def test_other_roles_are_refused(self, world, login, who):
        assert login(getattr(world, who)).get(self.url).status_code == 403

    def test_search(self, world, login):
        names = {u.username for u in login(world.office).get(self.url, {"q": "王书记"}).context["page"]}
        assert names == {"secretary"}


@pytest.mark.django_db
class TestCreateAndGrant:
    def test_office_creates_an_account_for_a_person_and_grants_a_role(self, world, login):
        client = login(world.office)
        person = world.branch2_members[0]
        response = client.post(reverse("core:account-create"), {
            "username": "zhang", "person": person.pk, "password1": STRONG, "password2": STRONG})
        user = User.objects.get(username="zhang")
        assert response.status_code == 302
        person.refresh_from_db()
        assert person.user == user
        client.post(reverse("core:account-detail", args=[user.pk]),
                    {"g-role": "secretary", "g-organization": world.branch2.pk})
        assert scope_for(User.objects.get(pk=user.pk)).has_role("secretary")
        created = AuditEntry.objects.filter(model="core.grant", action="create").get()
        assert created.actor == world.office and created.centre_id == world.centre.pk
        assert not AuditEntry.objects.filter(changes__has_key="password").exists()

    def test_weak_password_is_refused_in_chinese(self, world, login):
        response = login(world.office).post(reverse("core:account-create"), {
            "username": "weak", "password1": "12345678", "password2": "12345678"})
        assert response.status_code == 200
        assert not User.objects.filter(username="weak").exists()
        assert "密码" in response.content.decode()

    def test_office_cannot_grant_admin(self, world, login):
        client = login(world.office)
        response = client.post(reverse("core:account-detail", args=[world.member.pk]), {"g-role": "admin"})
        assert response.status_code == 403
        assert not Grant.objects.filter(user=world.member, role="admin").exists()

    def test_outsider_cannot_reach_our_accounts(self, world, login):
        client = login(world.outsider)
        assert client.get(reverse("core:account-detail", args=[world.member.pk])).status_code == 404
        grant = Grant.objects.get(user=world.secretary)
        assert client.post(reverse("core:grant-revoke", args=[grant.pk])).status_code == 404
        assert Grant.objects.filter(pk=grant.pk).exists()

    def test_outsider_cannot_grant_over_our_tree(self, world, login):
        from django.core.exceptions import PermissionDenied

        from vanguard.core import accounts

        with pytest.raises(PermissionDenied):
            accounts.grant_role(world.outsider, world.outsider, "secretary", organization=world.branch1)

    def test_office_revokes_a_grant(self, world, login):
        grant = Grant.objects.get(user=world.scorer)
        login(world.office).post(reverse("core:grant-revoke", args=[grant.pk]))
        assert not Grant.objects.filter(pk=grant.pk).exists()
        assert AuditEntry.objects.filter(model="core.grant", action="delete").exists()

    def test_secretary_cannot_create_accounts(self, world, login):
        response = login(world.secretary).post(reverse("core:account-create"), {
            "username": "x", "password1": STRONG, "password2": STRONG})
        assert response.status_code == 403

    def test_disable_and_reset_password(self, world, login):
        client = login(world.office)
        client.post(reverse("core:account-detail", args=[world.member.pk]), {"p-password": STRONG})
        world.member.refresh_from_db()
        assert world.member.check_password(STRONG)
        client.post(reverse("core:account-active", args=[world.member.pk]), {"active": "0"})
        world.member.refresh_from_db()
        assert not world.member.is_active

    def test_anonymous_is_redirected(self, client, world):
        assert client.get(reverse("core:account-detail", args=[world.member.pk])).status_code == 302
