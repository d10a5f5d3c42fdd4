"""Roster workbooks (export and template): formula-like names are written as text, and names
stored with control characters before input refused them do not make the export fail."""

from django.urls import reverse

from vanguard.org.models import Person, Unit

from ..export_checks import CONTROL, DASHED, FORMULA_LIKE, all_text, assert_safe_workbook


def test_roster_export_and_template_are_safe(world, login):
    Unit.objects.filter(pk=world.home_unit.pk).update(name=FORMULA_LIKE)
    Person.objects.filter(pk=world.member_person.pk).update(name=CONTROL, job=DASHED)
    client = login(world.office)
    export = client.get(reverse("org:roster-export"))
    assert export.status_code == 200
    wb = assert_safe_workbook(export.content, FORMULA_LIKE, DASHED)
    assert "坏名字" in all_text(wb)
    template = client.get(reverse("org:roster-template"))
    assert template.status_code == 200
    assert_safe_workbook(template.content, FORMULA_LIKE)
