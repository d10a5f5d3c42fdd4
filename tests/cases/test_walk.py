"""Issue 14's walk: dispatch -> return -> re-dispatch -> supervision -> extension -> answer ->
dissatisfied call-back -> second answer -> close, with every deadline counted in working
days that skip the National Day holiday of 2026 (1-7 October; Saturday 10 October worked)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from vanguard.cases import services
from vanguard.cases.models import Case, CaseStep
from vanguard.cases.sweep import sweep
from vanguard.core.models import AuditEntry
from vanguard.notices.models import Notice

from .conftest import complaint

D = datetime.date


def test_the_walk_of_a_complaint_through_the_holiday(world, post, clock):
    clock.at(2026, 9, 29)  # Tuesday
    case = complaint(world, post=post, contact_name="刘女士", contact_mobile="13912345678", source="phone",
                     source_ref="12345-0929-0001")
    assert (case.status, case.unit, case.accept_due, case.due) == ("dispatched", world.home_unit, D(2026, 9, 30),
                                                                    D(2026, 10, 12))

    # The unit returns it: not its business, it says. A return needs a reason.
    with translation.override("zh-hans"), pytest.raises(ValidationError) as e:
        services.return_case(world.handler, case, reason=" ")
    assert "退单理由" in e.value.message_dict["reason"][0]
    case = services.return_case(world.handler, case, reason="该事项属于人社局")
    assert case.status == "returned"

    # The office decides it is the unit's after all, on the 30th: new deadlines from that day.
    clock.at(2026, 9, 30)
    with pytest.raises(PermissionDenied):
        services.dispatch_case(world.handler, case, unit=world.home_unit)
    case = services.dispatch_case(world.office, case, unit=world.home_unit, note="窗口属于市场监管局")
    assert (case.status, case.accept_due, case.due) == ("dispatched", D(2026, 10, 8), D(2026, 10, 13))
    case = services.accept_case(world.handler, case)
    assert case.status == "accepted"

    # After the holiday the office supervises it with an earlier deadline and a note to the leader.
    clock.at(2026, 10, 8)
    case = services.supervise_case(world.office, case, due=D(2026, 10, 12), note="请局领导亲自过问")
    assert case.due == D(2026, 10, 12) and case.supervision_due == D(2026, 10, 12)
    assert Notice.objects.filter(title__contains=case.number, recipients__user=world.handler).exists()

    # A reminder the working day before the deadline (Saturday 10th is a working day), once.
    clock.at(2026, 10, 9)
    assert sweep()["reminded"] == 0
    clock.at(2026, 10, 10)
    assert sweep() == {"overdue": 0, "reminded": 1}
    assert sweep() == {"overdue": 0, "reminded": 0}

    # The unit asks for three more working days; the office grants them.
    case = services.ask_extension(world.handler, case, days=3, reason="需调取监控核实")
    with pytest.raises(PermissionDenied):
        services.decide_extension(world.handler, case, grant=True)
    case = services.decide_extension(world.office, case, grant=True)
    assert (case.extension, case.due) == ("granted", D(2026, 10, 15))

    clock.at(2026, 10, 14)
    case = services.answer_case(world.handler, case, answer="经核实，工作人员解释不到位，已批评教育。",
                                action_taken="约谈当事人", upheld=True, broken_pledge="attitude")
    assert case.status == "answered" and case.answered_on_time is True

    # Dissatisfied at the call-back: a second round, five working days from the 15th.
    clock.at(2026, 10, 15)
    case = services.call_back(world.office, case, result="dissatisfied", note="希望当面道歉")
    assert (case.status, case.round, case.due) == ("accepted", 2, D(2026, 10, 22))
    assert case.answer == "" and case.callback == ""

    clock.at(2026, 10, 20)
    with translation.override("zh-hans"), pytest.raises(ValidationError):
        services.call_back(world.office, case, result="satisfied")  # nothing answered in this round
    case = services.answer_case(world.handler, case, answer="科长已上门道歉。", upheld=True,
                                broken_pledge="attitude")
    clock.at(2026, 10, 21)
    case = services.call_back(world.office, case, result="satisfied")
    assert case.status == "closed" and case.closed_at is not None and case.overdue_at is None

    # Closed means closed.
    with translation.override("zh-hans"), pytest.raises(ValidationError) as e:
        services.answer_case(world.handler, case, answer="补充答复")
    assert "已办结" in e.value.messages[0]

    steps = list(CaseStep.objects.filter(case=case).values_list("round", "action"))
    assert steps == [(1, "receive"), (1, "dispatch"), (1, "return"), (1, "redispatch"), (1, "accept"),
                     (1, "supervise"), (1, "remind"), (1, "ask_ext"), (1, "grant_ext"), (1, "answer"),
                     (1, "call_back"), (2, "redo"), (2, "answer"), (2, "call_back"), (2, "close")]
    deadlines = dict(CaseStep.objects.filter(case=case, deadline__isnull=False).values_list("action", "deadline"))
    assert deadlines["redo"] == D(2026, 10, 22) and deadlines["grant_ext"] == D(2026, 10, 15)
    verbs = set(AuditEntry.objects.filter(model="cases.case", object_id=str(case.pk)).values_list("verb", flat=True))
    assert {"receive case", "dispatch case", "return case", "supervise case", "grant extension", "answer case",
            "redo case", "close case"} <= verbs


def test_overdue_is_recorded_once_when_it_happens(world, post, clock):
    clock.at(2026, 9, 29)
    late = complaint(world, post=post)
    on_time = complaint(world, post=post)
    services.accept_case(world.handler, on_time)
    clock.at(2026, 10, 8, 9)  # acceptance was due on 30 September
    assert sweep()["overdue"] == 1
    first = Case.objects.get(pk=late.pk)
    assert (first.overdue_stage, first.overdue_at.date()) == ("accept", D(2026, 10, 8))
    clock.at(2026, 10, 13)  # the answer of both was due on the 12th
    assert sweep()["overdue"] == 1  # only the one not yet recorded
    assert Case.objects.get(pk=late.pk).overdue_at == first.overdue_at
    assert Case.objects.get(pk=on_time.pk).overdue_stage == "answer"
    assert sweep()["overdue"] == 0
    assert CaseStep.objects.filter(action="overdue").count() == 2


def test_redo_limit_hands_the_case_to_the_office(world, post, clock, settings):
    clock.at(2026, 11, 2)
    services.set_rules(world.office, world.centre, redo_limit=1)
    case = services.accept_case(world.handler, complaint(world, post=post, contact_mobile="13912345670"))
    for _round in range(2):
        case = services.answer_case(world.handler, case, answer="已处理", upheld=False)
        case = services.call_back(world.office, case, result="dissatisfied")
    assert (case.status, case.round) == ("deciding", 2)
    with pytest.raises(PermissionDenied):
        services.decide_case(world.handler, case, redo=False, note="x")
    case = services.decide_case(world.office, case, redo=False, note="已依法依规答复，诉求不合理")
    assert case.status == "closed" and case.decision_note


def test_an_anonymous_case_closes_with_its_answer_and_a_refused_extension_keeps_the_deadline(world, post, clock):
    clock.at(2026, 11, 2)
    case = services.accept_case(world.handler, services.intake_case(
        world.office, centre=world.centre, kind="help", content="老人不会用自助机", source="letter", post=post))
    assert case.due == D(2026, 11, 5)  # help: 3 working days
    case = services.ask_extension(world.handler, case, days=2, reason="等待系统修复")
    with translation.override("zh-hans"), pytest.raises(ValidationError):
        services.decide_extension(world.office, case, grant=False, note="")
    case = services.decide_extension(world.office, case, grant=False, note="可先人工帮办")
    assert (case.extension, case.due) == ("refused", D(2026, 11, 5))
    case = services.answer_case(world.handler, case, answer="已安排志愿者帮办")
    assert case.status == "closed"


def test_upheld_complaints_in_a_quarter_warn_the_post_once(world, post, clock):
    from vanguard.posts.models import PostEvent

    clock.at(2026, 11, 2)
    services.set_rules(world.office, world.centre, warn_upheld=2)
    for upheld in (True, False, True, True):
        case = services.accept_case(world.handler, complaint(world, post=post))
        services.answer_case(world.handler, case, answer="已核实", upheld=upheld, broken_pledge="none")
    warnings = PostEvent.objects.filter(post=post, action="warn")
    assert warnings.count() == 1  # at the second upheld one, not again at the third
    assert warnings.get().details["upheld"] == 2 and warnings.get().details["quarter"] == "2026Q4"


def test_a_dissatisfied_call_back_counts_as_called_back_in_the_figures(world, post, clock):
    """The figures pages and the campaigns count "called back" the same way: a dissatisfied
    call-back that sends the case back for a redo (which clears its result) is still one, so the
    satisfaction rate is not raised by leaving the dissatisfied out of its denominator."""
    from vanguard.cases.selectors import figures

    clock.at(2026, 11, 2)
    redone = services.accept_case(world.handler, complaint(world, post=post, contact_mobile="13912345671"))
    redone = services.answer_case(world.handler, redone, answer="已处理", upheld=False)
    redone = services.call_back(world.office, redone, result="dissatisfied")
    assert (redone.round, redone.callback) == (2, "")
    pleased = services.accept_case(world.handler, complaint(world, post=post, contact_mobile="13912345672"))
    pleased = services.answer_case(world.handler, pleased, answer="已处理", upheld=False)
    services.call_back(world.office, pleased, result="satisfied")
    row = figures(Case.objects.filter(pk__in=[redone.pk, pleased.pk]))
    assert (row["called_back"], row["satisfied"], row["satisfied_rate"]) == (2, 1, 50.0)
