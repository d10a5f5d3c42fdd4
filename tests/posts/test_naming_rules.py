"""Issue 10, points 5-9: a post is named after a passed evaluation (or with the office's
written reason), only party members hold it, its own party committee names it, a
revoked post's address says so publicly, signboards come in A3 too."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from pypdf import PdfReader

from tests.surveys.conftest import run_quarter
from vanguard.org import services as org_services
from vanguard.org.models import Organization, Person
from vanguard.posts import documents, services
from vanguard.posts.models import PostEvent, VanguardPost
from vanguard.surveys import services as survey_services

from .conftest import make_post


@pytest.fixture(autouse=True)
def _chinese():
    with translation.override("zh-hans"):
        yield


def _text(exc):
    return " ".join(str(m) for m in exc.messages)


def _state(post):
    post = VanguardPost.objects.get(pk=post.pk)
    return (post.status, post.named_by_id, post.named_on, post.certificate_number, post.naming_evaluation,
            post.naming_override_reason, PostEvent.objects.filter(post=post).count())


@pytest.fixture
def disclosed(world):
    return services.disclose_post(world.office, make_post(world))


def _name(world, post, **kwargs):
    return services.name_post(world.office, post, **{"named_on": datetime.date(2026, 2, 1),
                                                     "certificate_number": "N-1", **kwargs})


def test_an_unevaluated_post_is_refused_without_a_reason(world, disclosed):
    before = _state(disclosed)
    with pytest.raises(ValidationError) as e:
        _name(world, disclosed)
    assert "override_reason" in e.value.message_dict and "通过的季度测评" in _text(e.value)
    assert _state(disclosed) == before


def test_a_failed_or_foreign_evaluation_is_not_a_pass(world, disclosed):
    failed = run_quarter(world, disclosed, 1, 1)
    before = _state(disclosed)
    for evaluation in (failed, failed.pk, "2026Q1", 999999):
        with pytest.raises(ValidationError) as e:
            _name(world, disclosed, evaluation=evaluation)
        assert "evaluation" in e.value.message_dict and "未通过" in _text(e.value)
    assert _state(disclosed) == before


def test_named_on_a_passed_evaluation_and_the_certificate_says_which(world, disclosed):
    evaluation = run_quarter(world, disclosed, 2, 5)
    post = _name(world, disclosed, evaluation=evaluation)
    assert post.status == "named" and post.naming_evaluation == f"surveys.evaluation:{evaluation.pk}"
    assert post.naming_override_reason == ""
    text = PdfReader(io.BytesIO(documents.certificate_pdf(post))).pages[0].extract_text().replace("\n", "")
    assert evaluation.title in text and "测评合格" in text


def test_office_override_is_stated_on_certificate_and_history(world, disclosed):
    post = _name(world, disclosed, override_reason="首批创建，经党组会议研究决定先行命名")
    assert post.status == "named" and post.naming_evaluation == ""
    assert post.naming_override_reason == "首批创建，经党组会议研究决定先行命名"
    event = PostEvent.objects.filter(post=post, action="name").get()
    assert event.reason == post.naming_override_reason
    assert event.details["naming_override_reason"] == post.naming_override_reason
    text = PdfReader(io.BytesIO(documents.certificate_pdf(post))).pages[0].extract_text().replace("\n", "")
    assert "首批创建" in text and "未经季度测评" in text
    assert "测评合格" not in text  # it never claims an evaluation that did not happen


def test_every_holder_must_be_a_party_member(world):
    with pytest.raises(ValidationError) as e:
        make_post(world, holders=[world.member_person, world.public_person])
    assert "陈群众：不是党员" in _text(e.value)
    # A probationary member may hold a post.
    world.public_person.political_status = Person.Status.PROBATIONARY
    world.public_person.save()
    assert make_post(world, name="预备党员岗", holders=[world.member_person, world.public_person]).pk


def test_a_holder_who_left_the_party_blocks_the_naming(world, disclosed):
    Person.objects.filter(pk=world.secretary_person.pk).update(political_status=Person.Status.PUBLIC)
    before = _state(disclosed)
    with pytest.raises(ValidationError) as e:
        _name(world, disclosed, override_reason="决定")
    assert "王书记：不是党员" in _text(e.value)
    assert _state(disclosed) == before


def test_the_post_s_own_committee_names_it(world, disclosed):
    committee = org_services.create_organization(world.admin, world.centre, name="区市场监管局党委",
                                                 kind=Organization.Kind.COMMITTEE)
    services.update_post(world.office, disclosed, naming_authority=committee)
    evaluation = run_quarter(world, disclosed, 3, 5)
    decision = evaluation.decisions.get(kind="naming")
    survey_services.confirm_naming(world.office, decision)
    post = VanguardPost.objects.get(pk=disclosed.pk)
    assert post.named_by == committee
    text = PdfReader(io.BytesIO(documents.certificate_pdf(post))).pages[0].extract_text()
    assert "区市场监管局党委" in text and world.root.name not in text


def test_a_branch_cannot_be_a_naming_authority(world, disclosed):
    with pytest.raises(ValidationError) as e:
        services.update_post(world.office, disclosed, naming_authority=world.branch1)
    assert "党组" in _text(e.value)
    with pytest.raises(ValidationError):
        _name(world, disclosed, organization=world.branch1, override_reason="决定")
    assert VanguardPost.objects.get(pk=disclosed.pk).naming_authority_id is None


def test_a_revoked_post_answers_410_with_the_date(client, world, disclosed):
    post = services.revoke_post(world.office, disclosed, reason="两次测评不合格",
                                revoked_on=datetime.date(2026, 3, 2))
    response = client.get(f"/p/{post.code}/")
    assert response.status_code == 410
    html = response.content.decode()
    assert "本岗位已于2026年3月2日撤销" in html and post.name in html
    assert client.get("/p/2222222/").status_code == 404
    draft = make_post(world, name="草稿")
    assert client.get(f"/p/{draft.code}/").status_code == 404


def test_a3_signboard_is_a3(client, world, disclosed):
    for layout, size in (("a3", (297, 420)), ("a4", (210, 297)), ("a5", (210, 148))):
        response = client.get(f"/p/{disclosed.code}/signboard.pdf?layout={layout}")
        assert response.status_code == 200
        box = PdfReader(io.BytesIO(response.content)).pages[0].mediabox
        width, height = (round(float(v) * 25.4 / 72) for v in (box.width, box.height))
        assert sorted((width, height)) == sorted(size), layout


def test_naming_page_bad_input_is_chinese_beside_the_field_and_kept(world, login, disclosed):
    client = login(world.office)
    url = f"/posts/{disclosed.pk}/name/"
    response = client.post(url, {"named_on": "2026-02-01", "certificate_number": "CERT-9", "evaluation": ""})
    assert response.status_code == 400
    html = response.content.decode()
    field = html[html.index('name="override_reason"'):]
    assert "未选择本岗位通过的季度测评" in field[:field.index("</div>\n</div>") + 200]
    assert 'value="CERT-9"' in html
    assert VanguardPost.objects.get(pk=disclosed.pk).status == "disclosed"
    # A holder who is not a party member (any more) blocks it, saying who.
    Person.objects.filter(pk=world.secretary_person.pk).update(political_status=Person.Status.PUBLIC)
    response = client.post(url, {"named_on": "2026-02-01", "certificate_number": "CERT-9",
                                 "override_reason": "党组研究决定"})
    assert response.status_code == 400 and "王书记：不是党员" in response.content.decode()
    assert PostEvent.objects.filter(post=disclosed, action="name").count() == 0
    # The form offers the post's passed evaluations; naming on one works.
    Person.objects.filter(pk=world.secretary_person.pk).update(political_status=Person.Status.FULL)
    evaluation = run_quarter(world, disclosed, 1, 5)
    page = client.get(f"/posts/{disclosed.pk}/").content.decode()
    assert f'<option value="{evaluation.pk}" selected>{evaluation.title}</option>' in page
    response = client.post(url, {"named_on": "2026-02-01", "certificate_number": "CERT-9",
                                 "evaluation": evaluation.pk})
    assert response.status_code == 302
    assert VanguardPost.objects.get(pk=disclosed.pk).naming_evaluation == f"surveys.evaluation:{evaluation.pk}"
