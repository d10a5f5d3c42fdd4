"""Intake: the routing from what a case is about, the tracking number, the contact and
its verification, photos, praise, and the bad input of issue 14."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from vanguard.cases import services, verification
from vanguard.cases.models import Case, CaseAttachment, CaseStep, normalise_number
from vanguard.core.models import AuditEntry
from vanguard.core.system import SYSTEM

from .conftest import complaint, photo


def test_a_case_about_a_post_goes_to_the_windows_unit(world, post):
    case = complaint(world, post=post, source_ref="12345-2026-000123")
    assert case.unit == world.home_unit and case.window == world.window1
    assert case.status == "dispatched" and case.accept_due and case.due
    assert normalise_number(case.number.lower().replace("-", " ")) == case.number
    assert list(case.steps.values_list("action", flat=True)) == ["receive", "dispatch"]
    assert AuditEntry.objects.filter(model="cases.case", object_id=str(case.pk)).count() >= 2


def test_routing_by_person_window_unit_and_none(world):
    assert complaint(world, person=world.branch2_members[0]).unit == world.home_unit2
    assert complaint(world, window=world.window2).unit == world.home_unit2
    assert complaint(world, unit=world.department).unit == world.department
    case = complaint(world)
    assert case.unit is None and case.status == "new"  # the office dispatches it


def test_tracking_numbers_are_random_and_printable(world):
    numbers = {complaint(world).number for _i in range(20)}
    assert len(numbers) == 20
    for number in numbers:
        assert len(number) == 14 and not set(number) & set("01OIL")


def test_personal_data_is_removed_from_the_public_words(world):
    case = complaint(world, content="我是张三，电话13812345678，身份证110101199003071234，请回电。",
                     contact_name="张三", contact_mobile="13812345678")
    assert "13812345678" not in case.public_content and "110101199003071234" not in case.public_content
    assert "张三" not in case.public_content and "请回电" in case.public_content
    assert case.content.startswith("我是张三") and not case.anonymous and case.contact_mobile == "13812345678"


def test_praise_closes_with_thanks(world):
    case = services.intake_case(SYSTEM, centre=world.centre, kind="praise", content="李党员耐心细致，谢谢！",
                                source="signboard", person=world.member_person)
    assert case.status == "closed" and case.unit == world.home_unit
    assert list(case.steps.values_list("action", flat=True)) == ["receive", "thanks"]


def test_photos_are_kept_privately(world):
    case = complaint(world, photos=[photo(), photo("b.png")])
    files = list(CaseAttachment.objects.filter(case=case))
    assert len(files) == 2 and all(f.file.name.startswith("private/cases/") for f in files)
    assert all(f.kind == "png" for f in files)


@pytest.mark.parametrize("fields, field", [
    ({"content": "   "}, "content"),
    ({"kind": "threat"}, "kind"),
    ({"contact_mobile": "12345"}, "contact_mobile"),
    ({"photos": [photo("x.png", b"MZ\x90\x00 not an image")]}, "photos"),
    ({"photos": [photo("big.png", b"\x89PNG\r\n\x1a\n" + b"0" * (services.PHOTO_MAX_BYTES + 1))]}, "photos"),
    ({"source": "signboard", "contact_mobile": "13812345678", "actor": AnonymousUser()}, "contact_mobile"),
])
def test_bad_input_is_refused_in_chinese_and_nothing_is_kept(world, fields, field):
    before = Case.objects.count(), CaseStep.objects.count(), CaseAttachment.objects.count()
    with translation.override("zh-hans"), pytest.raises(ValidationError) as e:
        complaint(world, **fields)
    assert field in e.value.message_dict
    assert any("\u4e00" <= ch <= "\u9fff" for ch in " ".join(e.value.messages))
    assert (Case.objects.count(), CaseStep.objects.count(), CaseAttachment.objects.count()) == before


def test_a_verified_mobile_files_once(world, post):
    check = verification.send_code("138 1234 5678", ip="10.0.0.9")
    proof = verification.verify_code("13812345678", check.code_for_tests)
    case = complaint(world, source="signboard", actor=None, post=post, contact_mobile="13812345678",
                     mobile_proof=proof)
    assert case.mobile_verified and case.contact_mobile == "13812345678"
    with pytest.raises(ValidationError) as e:  # the proof is used up
        complaint(world, source="signboard", actor=None, post=post, contact_mobile="13812345678", mobile_proof=proof)
    assert "contact_mobile" in e.value.message_dict


def test_codes_are_rate_limited(world):
    verification.send_code("13812345670", ip="10.0.0.8")
    with translation.override("zh-hans"), pytest.raises(ValidationError) as e:
        verification.send_code("13812345670", ip="10.0.0.8")  # again within a minute
    assert "秒" in " ".join(e.value.messages)


def test_wrong_code_counts_an_attempt(world):
    verification.send_code("13812345671")
    with pytest.raises(ValidationError):
        verification.verify_code("13812345671", "000000" if True else "")
    with pytest.raises(ValidationError) as e:
        verification.verify_code("13812345671", "12a")
    assert "code" in e.value.message_dict


def test_who_may_enter_a_case(world):
    complaint(world, actor=world.office)
    complaint(world, actor=world.handler, source="letter")
    for user in (world.member, world.outsider, world.liaison):
        with pytest.raises(PermissionDenied):
            complaint(world, actor=user)
    with pytest.raises(PermissionDenied):
        complaint(world, actor=world.handler, source="rating_comment")


def test_a_second_complaint_of_the_same_mobile_about_the_unit_is_a_repeat(world, post):
    first = complaint(world, post=post, contact_mobile="13812345672")
    second = complaint(world, post=post, contact_mobile="13812345672")
    assert second.repeat_of_id == first.pk and first.repeat_of_id is None
