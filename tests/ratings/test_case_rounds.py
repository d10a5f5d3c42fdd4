"""Issue 10, point 12: a "still dissatisfied" call-back sends the case back for another
round with a new working-day deadline; only a satisfied call-back or the office's
decision (with a reason) closes it; the case page shows the timeline; a case that was
once overdue says 曾超期, not a live overdue badge."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from vanguard.core.workdays import WorkingCalendar
from vanguard.ratings import cases
from vanguard.ratings.models import CaseStep, RectificationCase

from .conftest import import_one, rate


def _to_call_back(world, case):
    case = cases.verify_case(world.handler, case, verification="属实")
    return cases.rectify_case(world.handler, case, rectification="批评教育，重新办理")


def test_dissatisfied_call_back_starts_a_second_round(world, post):
    case = _to_call_back(world, rate(import_one(world), 1).case)
    case = cases.call_back(world.handler, case, result="dissatisfied", note="仍未解决")
    assert (case.state, case.round) == ("rectifying", 2)
    assert case.closed_at is None and case.rectified_at is None and case.called_back_at is None
    today = timezone.localdate()
    assert case.rectify_due == WorkingCalendar().add_working_days(today, world.centre.rectification_days)
    assert case.rectify_due > today
    with translation.override("zh-hans"), pytest.raises(ValidationError):
        cases.close_case(world.handler, case)  # not closable mid-round
    # The second round ends with a satisfied call-back: now it closes.
    case = cases.rectify_case(world.handler, case, rectification="领导上门致歉并办结")
    case = cases.call_back(world.handler, case, result="satisfied")
    case = cases.close_case(world.handler, case)
    assert case.state == "closed" and case.round == 2
    steps = list(CaseStep.objects.filter(case=case).values_list("round", "action", "actor_name"))
    assert steps == [(1, "verify", "handler"), (1, "rectify", "handler"), (1, "call_back", "handler"),
                     (2, "redo", "handler"), (2, "rectify", "handler"), (2, "call_back", "handler"),
                     (2, "close", "handler")]


@pytest.mark.parametrize("result", ["unreachable"])
def test_a_call_back_that_is_not_satisfied_cannot_be_closed_by_the_unit(world, post, result):
    case = _to_call_back(world, rate(import_one(world), 2).case)
    case = cases.call_back(world.handler, case, result=result)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as e:
        cases.close_case(world.handler, case)
    assert "党建科" in " ".join(e.value.messages)
    assert RectificationCase.objects.get(pk=case.pk).state == "calling_back"


def test_the_office_closes_by_decision_with_a_reason(world, post):
    case = _to_call_back(world, rate(import_one(world), 2).case)
    case = cases.call_back(world.handler, case, result="unreachable")
    with pytest.raises(PermissionDenied):
        cases.close_by_office(world.handler, case, reason="x")
    with translation.override("zh-hans"), pytest.raises(ValidationError) as e:
        cases.close_by_office(world.office, case, reason="  ")
    assert "理由" in " ".join(e.value.messages)
    assert RectificationCase.objects.get(pk=case.pk).state == "calling_back"
    case = cases.close_by_office(world.office, case, reason="三次联系未接通，已书面告知")
    assert case.state == "closed" and case.decision_note == "三次联系未接通，已书面告知"
    assert case.decided_by == world.office
    with pytest.raises(ValidationError):
        cases.close_by_office(world.office, case, reason="again")


def test_case_page_shows_timeline_and_was_overdue(world, post, login):
    rating = rate(import_one(world), 1, now=timezone.now() - datetime.timedelta(days=20))
    assert cases.mark_overdue() == 1
    case = _to_call_back(world, rating.case)
    case = cases.call_back(world.handler, case, result="dissatisfied", note="仍不满意")
    url = reverse("ratings:case", args=[case.pk])
    client = login(world.handler)
    html = client.get(url).content.decode()
    # The second round has a fresh deadline, so the page says it was once late, not that it is late.
    assert "曾超期" in html and "第 2 轮" in html
    assert 'text-bg-danger">超期' not in html
    timeline = html[html.index('id="case-timeline"'):]
    for text in ("收到差评", "核实", "整改", "回访", "仍不满意", "重办", "超期", "handler"):
        assert text in timeline, text
    # The handler sees no office decision form; the office does, and closes with a reason.
    assert "office_close" not in html
    office = login(world.office)
    assert "office_close" in office.get(url).content.decode()
    response = office.post(url, {"action": "office_close", "text": ""})
    assert RectificationCase.objects.get(pk=case.pk).state == "rectifying"
    response = office.post(url, {"action": "office_close", "text": "经核实已按规定办理"}, follow=True)
    assert response.status_code == 200
    assert RectificationCase.objects.get(pk=case.pk).state == "closed"
    assert login(world.outsider).get(url).status_code == 404
