"""The office writes its own scheme: a draft copy of the current version, edited and
validated (each part sums to 100), activated; a month keeps the version it opened with.
The same rules through the pages and the API."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from vanguard.assessment import services
from vanguard.assessment.models import Scheme

pytestmark = pytest.mark.django_db
BASE = "/api/v1/assessment"


def test_copy_edit_activate_and_months_keep_their_version(world, period):
    current = period.scheme
    draft = services.copy_scheme(world.office, current, "2027-01")
    assert draft.is_draft and draft.version == 2 and draft.indicators.count() == 56
    # A draft applies to no month.
    assert services.scheme_for_month(world.centre, datetime.date(2027, 1, 1)) == current
    rows = services.indicator_dicts(draft)
    rows[0]["maximum"], rows[1]["maximum"] = Decimal("6"), Decimal("4")
    rows[0]["aspect"] = "party_spirit"
    services.update_scheme(world.office, draft, indicators=rows, threshold=Decimal("175"), quota_value=10,
                           publicity_days=7, veto_rules="经核实的有效投诉")
    services.activate_scheme(world.office, draft)
    jan = services.open_period(world.office, world.centre, "2027-01")
    assert jan.scheme == draft and period.scheme == current
    assert jan.scheme.threshold == Decimal("175") and jan.scheme.indicators.get(code="P01").aspect == "party_spirit"
    with pytest.raises(ValidationError) as refused:
        services.update_scheme(world.office, draft, threshold=Decimal("100"))
    assert "不能修改" in " ".join(refused.value.messages)


def test_a_part_that_does_not_sum_to_100_is_refused_and_nothing_changes(world, scheme):
    draft = services.copy_scheme(world.office, scheme, "2027-01")
    rows = services.indicator_dicts(draft)
    rows[0]["maximum"] = Decimal("9")
    with pytest.raises(ValidationError) as refused:
        services.update_scheme(world.office, draft, indicators=rows, threshold=Decimal("150"))
    assert "104" in " ".join(refused.value.messages) and "100" in " ".join(refused.value.messages)
    draft.refresh_from_db()
    assert draft.threshold == scheme.threshold and draft.indicators.get(code="P01").maximum == Decimal("5")


def test_only_the_office_writes_schemes(world, scheme):
    from django.core.exceptions import PermissionDenied

    for user in (world.secretary, world.member, world.outsider):
        with pytest.raises(PermissionDenied):
            services.copy_scheme(user, scheme, "2027-01")


def test_scheme_pages(client, world, scheme):
    url = reverse("assessment:scheme", args=[scheme.pk])
    client.force_login(world.office)
    body = client.get(url).content.decode()
    assert 'id="rule-threshold">150' in body and "scheme-copy" in body
    response = client.post(reverse("assessment:scheme-new-version", args=[scheme.pk]), {"valid_from": "2027-01"})
    draft = Scheme.objects.get(version=2)
    assert response.url == reverse("assessment:scheme-edit", args=[draft.pk])
    edit = client.get(response.url)
    assert edit.status_code == 200 and 'value="P01"' in edit.content.decode()
    form = edit.context["formset"]
    data = {"name": draft.name, "formula": "sum", "party_weight": "1", "work_weight": "1", "threshold": "172",
            "quota_kind": "percent", "quota_value": "15", "tie_break": "party", "veto_rules": "",
            "publicity_days": "5", "note_required_loss": "1",
            "ind-TOTAL_FORMS": str(len(form.forms)), "ind-INITIAL_FORMS": str(form.initial_form_count()),
            "ind-MIN_NUM_FORMS": "0", "ind-MAX_NUM_FORMS": "1000"}
    for n, f in enumerate(form.forms):
        for name in f.fields:
            value = f.initial.get(name, "")
            data[f"ind-{n}-{name}"] = "" if value is None else str(value)
    data["ind-0-maximum"] = "7"  # the party part now sums to 102
    bad = client.post(response.url, data)
    assert bad.status_code == 400 and "102" in bad.content.decode() and 'value="7"' in bad.content.decode()
    data["ind-0-maximum"] = "5"
    assert client.post(response.url, data).status_code == 302
    draft.refresh_from_db()
    assert draft.threshold == Decimal("172") and draft.note_required_loss == Decimal("1")
    assert client.post(reverse("assessment:scheme-activate", args=[draft.pk]), follow=True).status_code == 200
    draft.refresh_from_db()
    assert not draft.is_draft
    client.force_login(world.secretary)
    assert client.get(reverse("assessment:scheme-edit", args=[draft.pk])).status_code == 403
    client.force_login(world.outsider)
    assert client.get(url).status_code == 404


def test_scheme_api_draft_to_active(world, scheme, api):
    office = api(world.office)
    created = office.post(f"{BASE}/schemes/", {"copy_from": scheme.pk, "valid_from": "2027-01"}, format="json")
    assert created.status_code == 201 and created.json()["status"] == "draft"
    pk = created.json()["id"]
    assert api(world.secretary).post(f"{BASE}/schemes/", {"copy_from": scheme.pk, "valid_from": "2027-02"},
                                     format="json").status_code == 403
    indicators = created.json()["indicators"]
    indicators[0]["maximum"] = "8"
    bad = office.patch(f"{BASE}/schemes/{pk}/", {"indicators": indicators}, format="json")
    assert bad.status_code == 400 and "103" in bad.content.decode()
    ok = office.patch(f"{BASE}/schemes/{pk}/", {"threshold": "172", "quota_value": 15}, format="json")
    assert ok.status_code == 200 and ok.json()["threshold"] == "172.0"
    assert office.post(f"{BASE}/schemes/{pk}/activate/").json()["status"] == "active"
    again = office.post(f"{BASE}/schemes/{pk}/activate/")
    assert again.status_code == 400
    assert api(world.outsider).patch(f"{BASE}/schemes/{pk}/", {"threshold": "1"}, format="json").status_code == 404


def test_opening_twice_reads_as_an_error_and_scoring_months_stay_in_the_todo(client, world, period):
    with pytest.raises(ValidationError) as refused:
        services.open_period(world.office, world.centre, "2026-10")
    assert "已开启" in " ".join(refused.value.messages)
    services.start_scoring(world.office, period)
    services.open_period(world.office, world.centre, "2026-11")
    client.force_login(world.secretary)
    body = client.get(reverse("assessment:home")).content.decode()
    assert 'data-month="2026-10"' in body  # still being scored: not hidden by November
    client.force_login(world.office)
    body = client.get(reverse("assessment:home")).content.decode()
    assert 'id="open-month"' in body and "2026-12" in body  # the next month is proposed
    response = client.post(reverse("assessment:period-open"), {"month": "2026-11"}, follow=True)
    assert "已开启" in response.content.decode()
