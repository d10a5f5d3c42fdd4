"""The score grid stays small: the cells inherit their htmx settings from the table, and a cell's
save is named by the cell's own fields."""

from decimal import Decimal

import pytest
from django.urls import reverse

from vanguard.assessment.models import Score
from vanguard.assessment.scoring import Entry, save_scores

pytestmark = pytest.mark.django_db


def test_a_cell_is_saved_from_its_own_fields(client, world, period):
    client.force_login(world.secretary)
    p01 = period.scheme.indicators.get(code="P01")
    url = reverse("assessment:grid-cell", args=[period.pk])
    response = client.post(url, {f"s-{world.member_person.pk}-{p01.pk}": "4.5",
                                 f"n-{world.member_person.pk}-{p01.pk}": "迟到"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "is-valid" in response.content.decode()
    score = Score.objects.get()
    assert (score.person_id, score.indicator_id, score.points, score.note) == (
        world.member_person.pk, p01.pk, Decimal("4.5"), "迟到")


def test_grid_cells_carry_no_repeated_htmx_settings(client, world, period):
    p01 = period.scheme.indicators.get(code="P01")
    save_scores(world.secretary, period, [Entry(world.member_person.pk, p01.pk, "3", "缺席党员大会")])
    client.force_login(world.office)
    page = client.get(reverse("assessment:grid", args=[period.pk]) + "?part=party").content.decode()
    cells = page.count('name="s-')
    assert cells >= 5 * 21
    # Inherited from the table, once: not on every input.
    assert page.count("hx-sync=") == 1 and page.count("hx-include=") == 1 and "hx-trigger=" not in page
    assert page.count('hx-target="closest .vg-value"') == 1
    # A note field only beside the cell below full marks (and one template the page's script copies).
    notes = page.count('name="n-')
    assert notes == 1 and page.count('class="form-control form-control-sm vg-note"') == 2
    # The cells' hx-post (and inputmode) are set by score-grid.js from the table's one data-cell-url: only
    # the written note and the note template carry theirs.
    assert page.count("hx-post=") == notes + 1 and page.count("data-cell-url=") == 1
    assert "inputmode=" not in page[page.index("<tbody>"):page.index("</tbody>")]
    table = page[page.index('id="vg-grid"'):page.index("</table>")]
    # 26 people x 21 indicators (a big branch) in 200 KB with the page around them, with room to spare.
    assert len(table.encode()) / cells < 220


def test_a_big_centre_opens_the_grid_on_one_group(client, world, period, monkeypatch):
    from vanguard.assessment import views

    monkeypatch.setattr(views, "GRID_ROWS", 2)
    client.force_login(world.office)
    page = client.get(reverse("assessment:grid", args=[period.pk]) + "?part=party")
    assert page.context["group"] == f"branch-{world.branch1.pk}"
    assert {row["person"].branch_id for row in page.context["rows"]} == {world.branch1.pk}
    # Under the limit, the whole centre as before.
    monkeypatch.setattr(views, "GRID_ROWS", 100)
    page = client.get(reverse("assessment:grid", args=[period.pk]) + "?part=party")
    assert page.context["group"] == "" and len(page.context["rows"]) == 5


def test_a_cell_inside_the_grid_form_is_named_by_the_field_that_changed(client, world, period):
    """htmx posts the whole grid form with a changed cell; HX-Trigger-Name says which cell it was
    (the first s- field of the form is another person's)."""
    client.force_login(world.secretary)
    p01, p02 = period.scheme.indicators.get(code="P01"), period.scheme.indicators.get(code="P02")
    other, member = world.secretary_person.pk, world.member_person.pk
    form = {f"s-{other}-{p01.pk}": "", f"n-{other}-{p01.pk}": "", f"s-{member}-{p01.pk}": "",
            f"s-{member}-{p02.pk}": "3", f"n-{member}-{p02.pk}": "未参加"}
    response = client.post(reverse("assessment:grid-cell", args=[period.pk]), form, HTTP_HX_REQUEST="true",
                           HTTP_HX_TRIGGER_NAME=f"s-{member}-{p02.pk}")
    assert response.status_code == 200 and "is-valid" in response.content.decode()
    score = Score.objects.get()
    assert (score.person_id, score.indicator_id, score.points, score.note) == (member, p02.pk, Decimal("3"), "未参加")


def test_computed_cells_carry_their_points_and_records_link_only(client, world):
    """A computed cell is its points linked to its records and an “override” button: the override box
    is one <template> the page's script copies (score-grid.js), and the explanation is on the records
    page (each cell carrying both was 900 bytes: a branch's party grid of the demo was 378 KB)."""
    import re

    from tests.assessment.test_automatic import make_scheme, this_month
    from vanguard.assessment import auto, services

    make_scheme(world)
    month = services.start_scoring(world.office, services.open_period(world.office, world.centre, this_month()))
    auto.compute_month(month)
    client.force_login(world.office)
    page = client.get(reverse("assessment:grid", args=[month.pk]) + "?part=party").content.decode()
    cells = re.findall(r'<td class="vg-computed">.*?</td>', page, re.S)
    people, computed = len(re.findall(r'<tr data-person=', page)), auto.rules_of(month)
    assert len(cells) == people * len([i for i in computed if i.part == "party"]) >= 5 * 10
    records = reverse("assessment:cell-records", args=[month.pk, world.member_person.pk, computed[0].pk])
    assert f'href="{records}"' in page
    assert all('href="/' in c and 'class="vg-ov"' in c for c in cells)
    # One override box, in the template; no explanation in the cells.
    assert page.count("vg-override-points") == 1 and page.count('id="vg-override-template"') == 1
    assert "自动计算" in page and "依据记录" not in page
    assert max(len(c.encode()) for c in cells) < 200
