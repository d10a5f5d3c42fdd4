"""Control characters and absurd values are refused where they enter: services (through the
models' validators), forms, the API and the roster import, each with a Chinese message."""

import datetime

import pytest
from django import forms
from django.core.exceptions import ValidationError
from rest_framework import serializers

from vanguard.assessment import services as assessment_services
from vanguard.org import services as org_services
from vanguard.org.models import Person, Unit
from vanguard.org.roster import import_roster
from vanguard.posts import services as post_services
from vanguard.posts.models import KeyProject

from ..org.roster_files import roster_file, row

CONTROL_ZH = "控制字符"


def _messages(excinfo):
    return " ".join(excinfo.value.messages)


@pytest.mark.parametrize("bad", ["区\x07税务局", "区税务局\x00", "区\x1b[31m税务局", "区税务局\n", "区\x85税务局"])
def test_service_refuses_control_characters_in_a_name(world, bad):
    name = world.home_unit.name
    with pytest.raises(ValidationError) as excinfo:
        org_services.update_unit(world.office, world.home_unit, name=bad)
    assert CONTROL_ZH in _messages(excinfo)
    assert Unit.objects.get(pk=world.home_unit.pk).name == name


def test_multi_line_text_keeps_tabs_and_line_breaks(world):
    project = post_services.create_project(world.office, world.centre, name="管廊", district="测试区",
                                           category=KeyProject.Category.KEY, description="第一行\n\t第二行\r\n")
    assert project.description.startswith("第一行\n\t")
    with pytest.raises(ValidationError) as excinfo:
        post_services.update_project(world.office, project, description="响铃\x07")
    assert CONTROL_ZH in _messages(excinfo)


def test_api_refuses_control_characters(world):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(user=world.office)
    response = client.patch(f"/api/v1/units/{world.home_unit.pk}/", {"name": "区\x1b税务局"},
                                       format="json")
    assert response.status_code == 400
    assert CONTROL_ZH in str(response.json())


def test_every_form_and_serializer_text_field_refuses_control_characters():
    with pytest.raises(ValidationError):
        forms.CharField().clean("名\x08字")
    assert forms.CharField().clean("多行\n\t文字") == "多行\n\t文字"
    with pytest.raises(serializers.ValidationError):
        serializers.CharField().run_validation("名\x08字")


def test_page_form_refuses_control_characters(world, login):
    client = login(world.office)
    response = client.post("/posts/projects/new/", {"name": "管廊\x07", "category": "key", "district": "测试区"})
    assert response.status_code in (200, 400)
    assert CONTROL_ZH in response.content.decode()
    assert not KeyProject.objects.filter(name__startswith="管廊").exists()


def test_roster_import_refuses_control_characters(world):
    result = import_roster(world.office, world.centre, roster_file(world.centre, [row(姓名="新\x7f同志")]))
    assert not result.saved
    assert [e.code for e in result.errors] == ["control_character"]
    assert result.errors[0].column == "A" and CONTROL_ZH in str(result.errors[0])


def test_latitude_and_longitude_are_degrees(world):
    for latitude, longitude, field in (("999", "100", "latitude"), ("-90.5", "100", "latitude"),
                                       ("30", "180.1", "longitude")):
        with pytest.raises(ValidationError) as excinfo:
            post_services.create_project(world.office, world.centre, name="越界工程", district="测试区",
                                         category=KeyProject.Category.KEY, latitude=latitude, longitude=longitude)
        assert field in excinfo.value.message_dict
    ok = post_services.create_project(world.office, world.centre, name="工程", district="测试区",
                                      category=KeyProject.Category.KEY, latitude="-89.9", longitude="179.9")
    assert ok.pk


def test_join_date_is_bounded(world):
    person = world.member_person
    joined = person.joined_party_on
    for day in (datetime.date(9999, 1, 1), datetime.date(1850, 1, 1),
                datetime.date.today() + datetime.timedelta(days=400)):
        with pytest.raises(ValidationError) as excinfo:
            org_services.update_person(world.office, person, joined_party_on=day)
        assert "joined_party_on" in excinfo.value.message_dict
    assert Person.objects.get(pk=person.pk).joined_party_on == joined


def test_every_date_typed_into_a_form_is_bounded():
    with pytest.raises(ValidationError):
        forms.DateField().clean("9999-01-01")
    assert forms.DateField().clean("2026-01-01") == datetime.date(2026, 1, 1)


def test_appeal_text_is_bounded(world):
    from tests.assessment.conftest import fill, make_scheme

    make_scheme(world)
    period = assessment_services.open_period(world.office, world.centre, datetime.date(2026, 10, 1))
    fill(world, period, world.branch1_members + world.branch2_members)
    period = assessment_services.publish_period(world.office, period)
    with pytest.raises(ValidationError) as excinfo:
        assessment_services.submit_appeal(world.member, period, "有误" * 2500)
    assert "text" in excinfo.value.message_dict
    assert assessment_services.submit_appeal(world.member, period, "有误" * 400).pk
