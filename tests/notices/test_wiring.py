"""The notices the system already writes reach inboxes."""

import datetime

from django.utils import timezone

from tests.ratings.conftest import import_one, rate
from tests.surveys.conftest import run_quarter
from vanguard.messaging import services_docs as docs
from vanguard.notices.models import Notice, Recipient
from vanguard.ratings import cases
from vanguard.surveys import services as survey_services
from vanguard.surveys.models import Decision


def users_of(kind):
    return set(Recipient.objects.filter(notice__kind=kind).values_list("user_id", flat=True))


def test_failed_evaluation_warns_and_revocation_is_urgent(world, post):
    q1 = run_quarter(world, post, 1, 5)
    survey_services.confirm_naming(world.office, Decision.objects.get(evaluation=q1, kind="naming"))
    run_quarter(world, post, 2, 1)
    warning = Notice.objects.get(kind="warning")
    assert warning.urgency == "normal"
    assert {world.handler.pk, world.liaison.pk, world.secretary.pk} <= users_of("warning")
    run_quarter(world, post, 3, 1)
    revocation = Notice.objects.get(kind="revocation")
    assert revocation.urgency == "urgent" and revocation.broadcasts


def test_overdue_rectification_reaches_handler_and_office(world, post):
    rate(import_one(world), 2, now=timezone.now() - datetime.timedelta(days=20))
    assert cases.mark_overdue() == 1
    assert users_of("escalation") == {world.handler.pk, world.liaison.pk, world.office.pk}
    assert Notice.objects.get(kind="escalation").urgency == "urgent"


def test_circulated_document_asks_readers_to_sign(world, tmp_path, settings):
    from tests.messaging.files import docx_upload

    settings.MEDIA_ROOT = tmp_path
    circular = docs.upload_circular(world.office, world.centre, title="学习文件", issuer="区委组织部",
                                    number="组发〔2026〕1号", file=docx_upload())
    docs.circulate(world.office, circular, [world.branch1])
    assert users_of("sign") == {world.member.pk, world.secretary.pk}


def test_appeal_decided_reaches_the_member(world, published):
    from vanguard.assessment import services as assessment
    from vanguard.assessment.models import Appeal

    appeal = Appeal.objects.create(period=published, person=world.member_person,
                                   indicator=published.scheme.indicators.get(code="P01"), text="有误")
    assessment.decide_appeal(world.office, appeal, uphold=False, answer="经核实无误")
    [row] = Recipient.objects.filter(notice__kind="appeal")
    assert row.user_id == world.member.pk and "经核实无误" in row.notice.body
