"""Chinese a person would write: empty choices, dates in inputs, the pager, the
audit trail and post history in words, no translation that repeats itself."""

import datetime
from pathlib import Path

import django_filters
import pytest
from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from tests.posts.conftest import make_post
from tests.test_translation_clashes import entries
from vanguard.core.forms import CalendarOverrideForm
from vanguard.core.models import AuditEntry, CalendarOverride
from vanguard.org import services as org_services
from vanguard.org.models import Person, Unit
from vanguard.posts import services as post_services
from vanguard.ratings.models import RectificationCase
from vanguard.surveys.models import Evaluation

VANGUARD = Path(__file__).resolve().parents[2] / "vanguard"


def test_no_translation_repeats_itself():
    """A msgstr pasted twice (满意率 = … 满意率 = …) reads as a broken page."""
    repeated = []
    for po in sorted(VANGUARD.glob("*/locale/zh_Hans/LC_MESSAGES/django.po")):
        for _context, msgid, msgstr in entries(po):
            sentences = [s for s in msgstr.replace("。", "。\n").splitlines() if len(s) > 6]
            if len(sentences) != len(set(sentences)):
                repeated.append(f"{po.parts[-5]}: {msgid[:50]!r}")
    assert not repeated


class UnitChoiceForm(forms.Form):
    unit = forms.ModelChoiceField(queryset=Unit.objects.all())
    kind = forms.TypedChoiceField(choices=[("", "---------"), *Unit.Kind.choices], required=False)


class UnitKindFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=Unit.Kind.choices)
    status = django_filters.ModelChoiceFilter(queryset=Unit.objects.all())

    class Meta:
        model = Person
        fields = []


@pytest.mark.django_db
def test_a_form_select_says_please_choose_and_a_filter_says_all():
    with translation.override("zh-hans"):
        form_html = str(UnitChoiceForm())
        filter_html = str(UnitKindFilter().form)
    assert "---------" not in form_html and "---------" not in filter_html
    assert form_html.count('<option value="" selected>请选择</option>') == 2
    assert filter_html.count('<option value="" selected>全部</option>') == 2


@pytest.mark.django_db
def test_a_date_input_is_prefilled_with_an_iso_date():
    """<input type="date"> accepts 2026-12-01 only; zh-hans' first input format was 2026/12/01."""
    with translation.override("zh-hans"):
        html = str(CalendarOverrideForm(instance=CalendarOverride(date=datetime.date(2026, 12, 1))))
        assert 'type="date"' in html and 'value="2026-12-01"' in html
        # The other spellings a person types still parse.
        form = CalendarOverrideForm(data={"date": "2026/12/01", "kind": "holiday"})
        assert form.is_valid(), form.errors


@pytest.mark.django_db
def test_a_closed_evaluation_is_not_a_closed_case(world):
    with translation.override("zh-hans"):
        assert str(Evaluation.Status.CLOSED.label) == "已结束"
        assert str(RectificationCase.State.CLOSED.label) == "已办结"


@pytest.mark.django_db
def test_calendar_page_names_no_software_package(world, login):
    page = login(world.office).get(reverse("core:calendar")).content.decode()
    assert "chinesecalendar" not in page and "软件包" not in page
    assert "国务院办公厅" in page


@pytest.mark.django_db
class TestAuditInWords:
    url = reverse("core:audit-list")

    def test_labels_names_and_local_times(self, world, login):
        org_services.update_person(world.office, world.member_person, job="首席代表", window=world.window2)
        entry = AuditEntry.objects.filter(model="org.person").latest("at")
        page = login(world.office).get(self.url, {"model": "org.person"}).content.decode()
        assert "∅" not in page
        assert "职务" in page or "岗位" in page  # the field's verbose name ...
        assert ">job<" not in page and "window</code>" not in page  # ... never its name
        assert str(world.window2) in page  # the window by name, not by id
        local = timezone.localtime(entry.at).strftime("%Y-%m-%d %H:%M")
        assert local in page  # Asia/Shanghai
        assert "人员" in page  # the object type in words, not org.person

    def test_one_query_per_related_model_whatever_the_rows(self, world, login):
        client = login(world.office)
        org_services.update_person(world.office, world.member_person, window=world.window2)
        client.get(self.url)  # warm the session and scope

        def count():
            with CaptureQueriesContext(connection) as queries:
                assert client.get(self.url).status_code == 200
            return len(queries)

        few = count()
        for window in (world.window1, world.window2) * 5:
            org_services.update_person(world.office, world.member_person, window=window)
        org_services.update_person(world.office, world.secretary_person, window=world.window2)
        assert count() == few

    def test_the_pager_is_translated(self, world, login):
        for n in range(60):
            org_services.update_person(world.office, world.member_person, job=f"岗位{n}")
        page = login(world.office).get(self.url).content.decode()
        assert "Table navigation" not in page
        assert 'aria-label="分页"' in page and "下一页" in page


@pytest.mark.django_db
def test_post_history_states_details_in_words(world, login):
    post = make_post(world, name="测试先锋岗", holders=[world.member_person])
    post_services.disclose_post(world.office, post, disclosed_on=datetime.date(2026, 5, 1))
    page = login(world.office).get(reverse("posts:post-detail", args=[post.pk])).content.decode()
    assert "disclosed_on" not in page and "holders" not in page
    assert "2026-05-01" in page and world.member_person.name in page
