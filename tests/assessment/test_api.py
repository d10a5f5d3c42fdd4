"""/api/v1/assessment/: owner, members of the scope, outsider, anonymous; bad input."""

import datetime

import pytest

from vanguard.assessment.models import Appeal, Period, Result, Score

pytestmark = pytest.mark.django_db

BASE = "/api/v1/assessment"


def _ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_schemes(world, scheme, api):
    assert _ids(api(world.office).get(f"{BASE}/schemes/")) == {scheme.pk}
    assert _ids(api(world.member).get(f"{BASE}/schemes/")) == {scheme.pk}
    assert _ids(api(world.outsider).get(f"{BASE}/schemes/")) == set()
    assert api(None).get(f"{BASE}/schemes/").status_code == 401
    detail = api(world.office).get(f"{BASE}/schemes/{scheme.pk}/").json()
    assert len(detail["indicators"]) == 56


def test_open_period_and_workflow_actions(world, scheme, api):
    response = api(world.office).post(f"{BASE}/periods/", {"month": "2026-10"}, format="json")
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    assert api(world.secretary).post(f"{BASE}/periods/", {"month": "2026-11"}, format="json").status_code == 403
    again = api(world.office).post(f"{BASE}/periods/", {"month": "2026-10"}, format="json")
    assert again.status_code == 400 and "已开启" in again.content.decode()
    assert api(world.secretary).post(f"{BASE}/periods/{pk}/start-scoring/").status_code == 403
    assert api(world.outsider).post(f"{BASE}/periods/{pk}/start-scoring/").status_code == 404
    assert api(world.office).post(f"{BASE}/periods/{pk}/start-scoring/").json()["status"] == "scoring"
    # Nobody is scored: publishing needs the office's explicit confirmation.
    refused = api(world.office).post(f"{BASE}/periods/2026-10/publish/")
    assert refused.status_code == 400 and "未考核" in refused.content.decode()
    unscored = api(world.office).get(f"{BASE}/periods/{pk}/unscored/").json()
    assert {(u["name"], u["part"]) for u in unscored} >= {("李党员", "party"), ("李党员", "work")}
    assert api(world.secretary).get(f"{BASE}/periods/{pk}/unscored/").status_code == 403
    published = api(world.office).post(f"{BASE}/periods/2026-10/publish/", {"confirm_unscored": True},
                                       format="json")
    assert published.json()["status"] == "publicity"
    result = api(world.member).get(f"{BASE}/results/?period=2026-10").json()
    result = result["results"] if isinstance(result, dict) else result
    assert result[0]["assessed"] is False and result[0]["party_points"] is None
    assert result[0]["reason"] == "unassessed" and "未考核" in result[0]["why"]
    final = api(world.office).post(f"{BASE}/periods/{pk}/finalise/")
    assert final.status_code == 400 and "公示期" in final.content.decode()
    assert _ids(api(world.member).get(f"{BASE}/periods/")) == {pk}
    assert _ids(api(world.outsider).get(f"{BASE}/periods/")) == set()
    assert api(None).get(f"{BASE}/periods/").status_code == 401


def test_scores_bulk_upsert(world, period, api):
    body = {"period": "2026-10", "scores": [
        {"person": world.member_person.pk, "indicator": "P01", "points": "4.5", "note": "缺席一次党小组会"},
        {"person": world.secretary_person.pk, "indicator": "P01", "points": 5},
    ]}
    response = api(world.secretary).post(f"{BASE}/scores/", body, format="json")
    assert response.status_code == 200 and response.json()["saved"] == 2
    body["scores"][0]["points"] = "4"
    api(world.secretary).post(f"{BASE}/scores/", body, format="json")
    assert Score.objects.get(person=world.member_person).points == 4
    assert api(world.member).post(f"{BASE}/scores/", body, format="json").status_code == 403
    assert api(world.outsider).post(f"{BASE}/scores/", body, format="json").status_code == 404
    assert api(None).post(f"{BASE}/scores/", body, format="json").status_code == 401
    # Listing: the secretary sees its branch, the member nothing before publication.
    assert len(_ids(api(world.secretary).get(f"{BASE}/scores/?period=2026-10"))) == 2
    assert _ids(api(world.member).get(f"{BASE}/scores/?period=2026-10")) == set()


@pytest.mark.parametrize(("points", "message"), [
    ("9", "满分"), ("-1", "不能小于 0"), ("五", "不是有效的分值"), ("４.５", "全角"), (True, "不是有效的分值"),
])
def test_bad_scores_are_refused(world, period, api, points, message):
    body = {"period": "2026-10", "scores": [
        {"person": world.member_person.pk, "indicator": "P02", "points": "5"},
        {"person": world.member_person.pk, "indicator": "P01", "points": points}]}
    response = api(world.office).post(f"{BASE}/scores/", body, format="json")
    assert response.status_code == 400 and message in response.content.decode()
    assert not Score.objects.exists()


def test_score_for_someone_outside_scope(world, period, api):
    body = {"period": "2026-10", "scores": [{"person": world.branch2_members[0].pk, "indicator": "P01",
                                             "points": "5"}]}
    response = api(world.secretary).post(f"{BASE}/scores/", body, format="json")
    assert response.status_code == 400 and "不在您负责评分" in response.content.decode()


def test_scores_refused_once_past_scoring(world, published, api):
    body = {"period": "2026-10", "scores": [{"person": world.member_person.pk, "indicator": "P01", "points": "1"}]}
    response = api(world.office).post(f"{BASE}/scores/", body, format="json")
    assert response.status_code == 400 and "不能再录入评分" in response.content.decode()


def test_results_by_month_and_scope(world, published, api):
    url = f"{BASE}/results/?period=2026-10"
    everyone = set(Result.objects.values_list("pk", flat=True))
    assert _ids(api(world.office).get(url)) == everyone
    own = Result.objects.get(person=world.member_person)
    member = api(world.member).get(url).json()["results"]
    assert [r["id"] for r in member] == [own.pk] and member[0]["is_star"] and "星级党员" in member[0]["why"]
    liaison = _ids(api(world.liaison).get(url))
    assert liaison == set(Result.objects.filter(unit=world.home_unit).values_list("pk", flat=True))
    assert _ids(api(world.secretary).get(url)) == set(
        Result.objects.filter(branch=world.branch1).values_list("pk", flat=True))
    assert _ids(api(world.outsider).get(url)) == set()
    assert api(None).get(url).status_code == 401


def test_adjustments(world, period, api):
    body = {"period": "2026-10", "person": world.member_person.pk, "kind": "penalty", "points": "2",
            "reason": "工作时间玩手机", "source": "inspection", "aspect": "example"}
    response = api(world.secretary).post(f"{BASE}/adjustments/", body, format="json")
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    assert api(world.secretary).post(f"{BASE}/adjustments/{pk}/approve/").status_code == 403
    assert api(world.office).post(f"{BASE}/adjustments/{pk}/approve/").json()["status"] == "approved"
    assert api(world.member).post(f"{BASE}/adjustments/", body, format="json").status_code == 403
    assert _ids(api(world.outsider).get(f"{BASE}/adjustments/")) == set()
    bad = dict(body, aspect="")
    response = api(world.office).post(f"{BASE}/adjustments/", bad, format="json")
    assert response.status_code == 400 and "哪一方面" in response.content.decode()


def test_appeals(world, published, api):
    body = {"period": "2026-10", "text": "P01 扣分有误"}
    response = api(world.member).post(f"{BASE}/appeals/", body, format="json")
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    assert api(world.office).get(f"{BASE}/appeals/").json()["count"] == 1
    assert _ids(api(world.outsider).get(f"{BASE}/appeals/")) == set()
    assert api(world.scorer).post(f"{BASE}/appeals/", body, format="json").status_code == 403
    assert api(world.member).post(f"{BASE}/appeals/{pk}/decide/", {"uphold": False, "answer": "x"},
                                  format="json").status_code == 403
    decided = api(world.office).post(f"{BASE}/appeals/{pk}/decide/", {"uphold": False, "answer": "维持原评分"},
                                     format="json")
    assert decided.json()["status"] == "rejected"
    Period.objects.filter(pk=published.pk).update(publicity_ends=datetime.date(2000, 1, 1))
    late = api(world.member).post(f"{BASE}/appeals/", body, format="json")
    assert late.status_code == 400 and "申诉期" in late.content.decode()
    assert Appeal.objects.count() == 1
