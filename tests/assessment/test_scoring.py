"""Bad input: each gets a clear message in Chinese and changes nothing."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from vanguard.assessment import services
from vanguard.assessment.models import Appeal, Result, Score
from vanguard.assessment.scoring import Entry, parse_points, remind_late_scorers, save_scores

from .conftest import fill

pytestmark = pytest.mark.django_db


def _ind(period, code):
    return period.scheme.indicators.get(code=code)


def _messages(excinfo):
    return " ".join(excinfo.value.messages)


@pytest.mark.parametrize(("raw", "expected"), [
    ("6", "超过了该指标的满分"), ("-1", "不能小于 0"), ("八", "不是有效的分值"), ("abc", "不是有效的分值"),
    ("４", "全角"), ("4．5", "全角"), ("4.55", "一位小数"), ("", "请填写分值"), ("nan", "不是有效的分值"),
])
def test_bad_points_are_refused_in_chinese(world, period, raw, expected):
    p01 = _ind(period, "P01")  # maximum 5
    with pytest.raises(ValidationError) as excinfo:
        save_scores(world.office, period, [Entry(world.member_person.pk, p01.pk, raw, where="第2行")])
    assert expected in _messages(excinfo)
    assert not Score.objects.exists()


def test_yes_no_indicator_takes_only_max_or_zero(world, period):
    p05 = _ind(period, "P05")
    assert parse_points("4", p05) == Decimal("4.0") and parse_points(0, p05) == Decimal("0.0")
    with pytest.raises(ValidationError):
        parse_points("2", p05)


def test_one_bad_cell_saves_nothing(world, period):
    p01, p02 = _ind(period, "P01"), _ind(period, "P02")
    with pytest.raises(ValidationError):
        save_scores(world.office, period, [Entry(world.member_person.pk, p01.pk, "5"),
                                           Entry(world.member_person.pk, p02.pk, "9")])
    assert not Score.objects.exists()


def test_person_outside_the_scorers_scope(world, period):
    p01 = _ind(period, "P01")
    with pytest.raises(ValidationError) as excinfo:
        save_scores(world.secretary, period, [Entry(world.branch2_members[0].pk, p01.pk, "5")])
    assert "不在您负责评分" in _messages(excinfo)
    w01 = _ind(period, "W01")
    with pytest.raises(ValidationError):  # a secretary does not score the work part
        save_scores(world.secretary, period, [Entry(world.member_person.pk, w01.pk, "3")])
    with pytest.raises(ValidationError):  # someone of another centre
        save_scores(world.office, period, [Entry(world.other_person.pk, p01.pk, "5")])
    assert not Score.objects.exists()


def test_roles_score_their_part(world, period):
    assert save_scores(world.secretary, period, [Entry(world.member_person.pk, _ind(period, "P01").pk, "4.5")]) == 1
    assert save_scores(world.scorer, period, [Entry(world.member_person.pk, _ind(period, "W01").pk, "3")]) == 1
    score = Score.objects.get(indicator__code="P01")
    assert score.points == Decimal("4.5") and score.scored_by == world.secretary


def test_edit_to_a_published_month_is_refused(world, published):
    before = list(Score.objects.values_list("pk", "points"))
    with pytest.raises(ValidationError) as excinfo:
        save_scores(world.office, published, [Entry(world.member_person.pk, _ind(published, "P01").pk, "1")])
    assert "不能再录入评分" in _messages(excinfo)
    assert list(Score.objects.values_list("pk", "points")) == before


def test_grid_cell_saves_as_you_go_and_reports_problems(client, world, period):
    client.force_login(world.secretary)
    url = reverse("assessment:grid-cell", args=[period.pk])
    p01 = _ind(period, "P01")
    key = f"s-{world.member_person.pk}-{p01.pk}"
    ok = client.post(url, {"person": world.member_person.pk, "indicator": p01.pk, key: "4.5"}, HTTP_HX_REQUEST="true")
    assert ok.status_code == 200 and "is-valid" in ok.content.decode()
    bad = client.post(url, {"person": world.member_person.pk, "indicator": p01.pk, key: "7"}, HTTP_HX_REQUEST="true")
    assert "is-invalid" in bad.content.decode() and "满分" in bad.content.decode()
    assert Score.objects.get().points == Decimal("4.5")


def test_grid_save_all_is_all_or_nothing(client, world, period):
    client.force_login(world.office)
    p01, p02 = _ind(period, "P01"), _ind(period, "P02")
    url = reverse("assessment:grid", args=[period.pk]) + "?part=party"
    response = client.post(url, {"part": "party", f"s-{world.member_person.pk}-{p01.pk}": "5",
                                 f"s-{world.member_person.pk}-{p02.pk}": "５"})
    assert response.status_code == 400 and "全角" in response.content.decode()
    assert not Score.objects.exists()
    response = client.post(url, {"part": "party", f"s-{world.member_person.pk}-{p01.pk}": "5",
                                 f"s-{world.member_person.pk}-{p02.pk}": "2.5"})
    assert response.status_code == 302 and Score.objects.count() == 2


def test_scheme_in_use_is_immutable_and_changes_are_new_versions(world, period):
    scheme = period.scheme
    with pytest.raises(ValidationError) as excinfo:
        services.update_scheme(world.office, scheme, threshold=Decimal("100"))
    assert "不能修改" in _messages(excinfo)
    new = services.new_scheme_version(world.office, scheme, "2026-12", threshold=Decimal("160"))
    assert new.version == 2 and new.indicators.count() == 56 and new.threshold == Decimal("160")
    nov = services.open_period(world.office, world.centre, "2026-11")
    dec = services.open_period(world.office, world.centre, "2026-12")
    assert nov.scheme == scheme and dec.scheme == new


def test_scheme_parts_must_add_up_to_100(world):
    from vanguard.assessment.scheme_data import indicator_rows

    rows = indicator_rows()
    rows[0]["maximum"] = 6
    with pytest.raises(ValidationError) as excinfo:
        services.create_scheme(world.office, world.centre, name="x", indicators=rows, valid_from="2026-01")
    assert "应为 100 分" in _messages(excinfo)


def test_appeal_during_publicity_and_not_after(world, published):
    appeal = services.submit_appeal(world.member, published, "P01 扣分有误", indicator=_ind(published, "P01"))
    assert appeal.status == Appeal.Status.OPEN
    late = published.publicity_ends + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as excinfo:
        services.submit_appeal(world.member, published, "再次申诉", today=late)
    assert "申诉期" in _messages(excinfo)
    assert Appeal.objects.count() == 1
    with pytest.raises(ValidationError):
        services.finalise_period(world.office, published, today=late)  # an open appeal


def test_upheld_appeal_makes_a_new_audited_version(world, published):
    from vanguard.core.models import AuditEntry

    target = world.branch1_members[2]  # lost 1 point on P01; quota 1 went to 李党员
    old = Result.objects.get(period=published, person=target, is_current=True)
    appeal = Appeal.objects.create(period=published, person=target, indicator=_ind(published, "P01"), text="有误")
    services.decide_appeal(world.office, appeal, uphold=True, answer="经核实恢复 1 分",
                           corrections=[(_ind(published, "P01"), "5")])
    new = Result.objects.get(period=published, person=target, is_current=True)
    assert new.version == 2 and new.total == old.total + 1 and "申诉" in new.change_reason
    assert Result.objects.filter(period=published, person=target).count() == 2
    assert AuditEntry.objects.filter(model="assessment.result", object_id=str(new.pk)).exists()
    from vanguard.assessment import compute

    assert compute.compute_rows(published, from_results=True) == compute.stored_rows(published)


def test_veto_rules_out_a_star_and_the_next_one_moves_up(world, period):
    fill(world, period, world.branch1_members, off={world.branch1_members[0].pk: Decimal("1")})
    adj = services.create_adjustment(world.secretary, period, world.member_person, kind="veto",
                                     reason="经核实的有效投诉", source="complaint")
    services.decide_adjustment(world.office, adj, approve=True)
    services.publish_period(world.office, period, confirm_unscored=True)  # branch 2 is not scored
    vetoed = Result.objects.get(period=period, person=world.member_person)
    assert not vetoed.is_star and vetoed.reason == "vetoed"
    stars = set(Result.objects.filter(period=period, is_star=True, branch=world.branch1)
                .values_list("person__name", flat=True))
    assert stars == {world.branch1_members[2].name}


def test_adjustment_needs_an_inspection_aspect_and_approval(world, period):
    with pytest.raises(ValidationError) as excinfo:
        services.create_adjustment(world.office, period, world.member_person, kind="penalty", points=2,
                                   reason="未佩戴党徽", source="inspection")
    assert "哪一方面" in _messages(excinfo)
    adj = services.create_adjustment(world.office, period, world.member_person, kind="penalty", points=2,
                                     reason="未佩戴党徽", source="inspection", aspect="identity")
    with pytest.raises(Exception):  # noqa: B017 - a secretary may not approve
        services.decide_adjustment(world.secretary, adj, approve=True)


def test_reminders_for_late_scorers(world, period):
    period.scoring_due = datetime.date(2026, 11, 6)
    period.save()
    fill(world, period, world.branch1_members[:1], actor=world.secretary, part="party")
    assert remind_late_scorers(today=datetime.date(2026, 11, 1)) == 0  # not due yet
    sent = remind_late_scorers(today=datetime.date(2026, 11, 5))
    assert sent == 2  # the secretary (2 of 3 left) and the scorer (3 of 3 left)
    text = world.secretary.assessment_reminders.get().text
    assert "还有 2 人未评分" in text
    assert remind_late_scorers(today=datetime.date(2026, 11, 5)) == 0  # once a day


def test_a_value_repeated_in_many_cells_is_judged_for_each_cell(world, period):
    """Values are parsed once per indicator and value, yet every bad cell is reported
    where it is, and TRUE is not taken for 1."""
    p01, p05 = (period.scheme.indicators.get(code=c) for c in ("P01", "P05"))
    b1 = world.branch1_members
    entries = [Entry(b1[0].pk, p01.pk, 1, where="A"), Entry(b1[1].pk, p01.pk, True, where="B"),
               Entry(b1[2].pk, p01.pk, 9, where="C"), Entry(b1[0].pk, p05.pk, 9, where="D"),
               Entry(b1[1].pk, p05.pk, 9, where="E")]
    with pytest.raises(ValidationError) as excinfo:
        save_scores(world.office, period, entries)
    messages = excinfo.value.messages
    assert [m.split(":")[0] for m in messages] == ["B", "C", "D", "E"]
    assert "True" in messages[0] and messages[3].replace("E", "D", 1) == messages[2]
    assert not Score.objects.exists()
    assert save_scores(world.office, period, entries[:1] + [Entry(b1[1].pk, p01.pk, 1)]) == 2
