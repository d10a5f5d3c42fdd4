"""Every bad input the issue lists gets a clear Chinese message, and nothing is half-applied."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import override

from vanguard.messaging import services
from vanguard.messaging import services_docs as docs
from vanguard.messaging.models import Broadcast, Circular, Lesson
from vanguard.org import services as org_services

from .files import docx_upload, pdf_upload, upload


def chinese(error):
    text = " ".join(error.messages)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in text), text
    return text


def lesson_kwargs(world, **extra):
    return {"title": "学习", "category": "theory", "sms_text": "学习党章。", **extra}


@pytest.fixture(autouse=True)
def chinese_ui():
    with override("zh-hans"):
        yield


def test_too_long_for_the_gateway(world, settings):
    with pytest.raises(ValidationError) as e:
        services.create_lesson(world.office, world.centre, **lesson_kwargs(world, sms_text="学" * 500))
    assert "500" in chinese(e.value) and "sms_text" in e.value.message_dict
    assert not Lesson.objects.exists() and not Broadcast.objects.exists()


def test_send_time_in_the_past(world):
    with pytest.raises(ValidationError) as e:
        services.create_lesson(world.office, world.centre,
                               **lesson_kwargs(world, send_at=timezone.now() - datetime.timedelta(hours=1)))
    assert "send_at" in e.value.message_dict and chinese(e.value)
    assert not Lesson.objects.exists()


def test_audience_with_nobody_in_it(world):
    empty_unit = org_services.create_unit(world.admin, world.centre, name="空单位")
    with pytest.raises(ValidationError) as e:
        services.create_lesson(world.office, world.centre, **lesson_kwargs(world, audience="unit", unit=empty_unit))
    assert chinese(e.value)
    with pytest.raises(ValidationError):
        services.create_lesson(world.office, world.centre, **lesson_kwargs(world, audience="branch"))
    assert not Lesson.objects.exists()


def test_audience_without_mobiles(world):
    unit = org_services.create_unit(world.admin, world.centre, name="无手机单位")
    org_services.create_person(world.admin, world.centre, name="无号", mobile="", unit=unit)
    with pytest.raises(ValidationError) as e:
        services.create_broadcast(world.office, world.centre, title="x", text="x", audience="unit", unit=unit)
    assert chinese(e.value)


@pytest.mark.parametrize("mobile", ["010-12345678", "12345", "abc", "1380000000"])
def test_a_phone_number_that_is_not_a_mobile(world, lesson, mobile):
    with pytest.raises(ValidationError) as e:
        services.send_test(world.office, lesson, mobile)
    assert "mobile" in e.value.message_dict and chinese(e.value)
    assert not Broadcast.objects.filter(title__startswith="测试").exists()


def test_classified_document_is_refused(world):
    for kwargs in ({"secrecy": Circular.Secrecy.SECRET}, {"secrecy": Circular.Secrecy.INTERNAL},
                   {"title": "机密★1年 关于某事的通知"}):
        with pytest.raises(ValidationError) as e:
            docs.upload_circular(world.office, world.centre, **{"title": "通知", "issuer": "区委", "number": "1号",
                                                                "file": pdf_upload(), **kwargs})
        assert "涉密" in chinese(e.value)
    assert not Circular.objects.exists()


@pytest.mark.parametrize("name,data", [
    ("伪装.pdf", b"MZ\x90\x00 this is an executable"),
    ("伪装.docx", b"PK\x03\x04 not really a zip"),
    ("图片.pdf", b"\x89PNG\r\n\x1a\n" + b"0" * 100),
    ("空.pdf", b""),
])
def test_upload_that_is_not_pdf_or_word(world, name, data):
    with pytest.raises(ValidationError) as e:
        docs.upload_circular(world.office, world.centre, title="通知", issuer="区委", number="1号",
                             file=upload(name, data))
    assert name in chinese(e.value) and "file" in e.value.message_dict
    assert not Circular.objects.exists()


def test_zip_that_is_not_word(world):
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("hello.txt", "hi")
    with pytest.raises(ValidationError):
        docs.upload_circular(world.office, world.centre, title="通知", issuer="区委", number="1号",
                             file=upload("a.docx", out.getvalue()))


def test_upload_too_large(world, settings):
    settings.UPLOAD_MAX_BYTES = 1000
    with pytest.raises(ValidationError) as e:
        docs.upload_circular(world.office, world.centre, title="通知", issuer="区委", number="1号",
                             file=docx_upload())
    assert "通知.docx" in chinese(e.value)
    assert not Circular.objects.exists()


def test_booklet_accepts_pdf_only(world):
    with pytest.raises(ValidationError):
        docs.create_booklet(world.office, world.centre, title="x", file=docx_upload())
    assert docs.create_booklet(world.office, world.centre, title="x", file=pdf_upload()).file


def test_circulate_to_another_centres_branch(world):
    circular = docs.upload_circular(world.office, world.centre, title="通知", issuer="区委", number="1号",
                                    file=pdf_upload())
    with pytest.raises(ValidationError) as e:
        docs.circulate(world.office, circular, [world.other_person.branch])
    assert chinese(e.value)
    assert circular.branches.count() == 0 and circular.circulated_at is None


def test_edit_after_sending_is_refused(world, lesson):
    from vanguard.messaging import dispatch

    dispatch.start_due(now=lesson.send_at)
    with pytest.raises(ValidationError) as e:
        services.update_lesson(world.office, lesson, sms_text="改")
    assert chinese(e.value)
