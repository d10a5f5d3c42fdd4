"""The core pages: audit trail and working-day calendar (owner / member / outsider)."""

import datetime

import pytest
from django.urls import reverse

from vanguard.core.models import AuditEntry, CalendarOverride, CalendarYear
from vanguard.org import services


@pytest.mark.django_db
class TestAuditTrail:
    url = reverse("core:audit-list")

    def test_office_reads_its_centre(self, world, login):
        services.update_person(world.office, world.member_person, job="首席代表")
        response = login(world.office).get(self.url)
        assert response.status_code == 200
        page = response.content.decode()
        assert "首席代表" in page  # the change itself, old → new
        assert "别区" not in page  # the other centre's entries are not shown

    def test_filter_by_actor(self, world, login):
        services.update_person(world.office, world.member_person, job="导办员")
        response = login(world.office).get(self.url, {"actor_name": "office"})
        assert list(response.context["table"].data.data.values_list("actor_name", flat=True).distinct()) == ["office"]

    @pytest.mark.parametrize("who", ["secretary", "scorer", "liaison", "handler", "member"])
    def test_other_roles_are_refused(self, world, login, who):
        assert login(getattr(world, who)).get(self.url).status_code == 403

    def test_outsider_sees_only_own_centre(self, world, login):
        response = login(world.outsider).get(self.url)
        assert response.status_code == 200
        objects = set(response.context["table"].data.data.values_list("centre_id", flat=True))
        assert objects <= {world.other_centre.pk}

    def test_anonymous_is_sent_to_login(self, client):
        assert client.get(self.url).status_code == 302

    def test_audit_rows_carry_the_address(self, world, client):
        client.force_login(world.office)
        client.post(reverse("core:calendar"), {"o-date": "2026-10-10", "o-kind": "holiday", "o-note": "调休取消"},
                    REMOTE_ADDR="10.1.2.3")
        entry = AuditEntry.objects.get(model="core.calendaroverride")
        assert entry.ip_address == "10.1.2.3"
        assert entry.actor == world.office


@pytest.mark.django_db
class TestCalendarPage:
    url = reverse("core:calendar")

    def test_office_adds_an_override_and_confirms_a_year(self, world, login):
        client = login(world.office)
        assert client.get(self.url).status_code == 200
        client.post(self.url, {"o-date": "2027-01-01", "o-kind": "holiday", "o-note": "元旦"})
        client.post(self.url, {"y-year": "2027"})
        assert CalendarOverride.objects.get(date=datetime.date(2027, 1, 1)).note == "元旦"
        assert CalendarYear.objects.filter(year=2027).exists()
        assert AuditEntry.objects.filter(model="core.calendaryear", action="create").count() == 1

    def test_office_deletes_an_override(self, world, login):
        client = login(world.office)
        client.post(self.url, {"o-date": "2027-01-01", "o-kind": "holiday"})
        override = CalendarOverride.objects.get()
        client.post(reverse("core:calendar-delete", args=[override.pk]))
        assert not CalendarOverride.objects.exists()
        assert AuditEntry.objects.filter(model="core.calendaroverride", action="delete").exists()

    @pytest.mark.parametrize("who", ["secretary", "scorer", "member"])
    def test_others_cannot_change_the_calendar(self, world, login, who):
        client = login(getattr(world, who))
        assert client.get(self.url).status_code == 403
        assert client.post(self.url, {"o-date": "2027-01-01", "o-kind": "holiday"}).status_code == 403
        assert not CalendarOverride.objects.exists()

    def test_invalid_date_is_reported(self, world, login):
        response = login(world.office).post(self.url, {"o-date": "2027-13-40", "o-kind": "holiday"})
        assert response.status_code == 200
        assert response.context["form"].errors["date"]
        assert not CalendarOverride.objects.exists()
