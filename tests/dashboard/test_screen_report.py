import datetime
import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse

from vanguard.dashboard import report, screen, selectors, services


def test_big_screen_signed_and_revocable(world, figures, client):
    item = services.create_screen(world.office, world.centre, name="一楼大厅")
    url = screen.url_of(item)
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert world.centre.name in html and "http://" not in html.replace("http://testserver", "")
    data = client.get(screen.data_url_of(item)).json()
    assert data["today"]["accepted"] == 4 and data["today"]["bad"] == 1
    assert data["today"]["freshness"] in {"已计入全部评价。", "All ratings are counted."}  # folded by the fixture
    assert "13800000002" not in str(data)
    forged = url.replace(url.split("/")[2], url.split("/")[2][:-2] + "xx")
    assert client.get(forged).status_code == 404
    services.revoke_screen(world.office, item)
    assert client.get(url).status_code == 404
    assert client.get(screen.data_url_of(item)).status_code == 404
    item = services.reissue_screen(world.office, item)
    assert client.get(url).status_code == 404  # the old address stays dead
    assert client.get(screen.url_of(item)).status_code == 200
    with pytest.raises(PermissionDenied):
        services.create_screen(world.outsider, world.centre, name="x")


def test_screens_page_is_the_offices(world, login, client):
    login(world.office)
    assert client.post(reverse("dashboard:screens"), {"action": "create", "centre": world.centre.pk,
                                                      "name": "二楼"}).status_code == 302
    assert "二楼" in client.get(reverse("dashboard:screens")).content.decode()
    login(world.member)
    assert client.get(reverse("dashboard:screens")).status_code == 403


def test_report_figures_equal_the_dashboards(world, figures, tmp_path):
    month = figures["month"]
    data = report.build(month.year, world.centre)
    scope = selectors.check_scope(world.office, f"centre:{world.centre.pk}")
    for key, metric in (("accepted", "accepted"), ("bad", "bad"), ("stars", "stars")):
        dash = next(k for k in selectors.kpis(scope, month) if k["key"] == key)["this"]["value"]
        assert report.value_of(data, metric, month=month) == dash
    body = report.docx(data)
    with zipfile.ZipFile(io.BytesIO(body)) as z:
        xml = z.read("word/document.xml").decode()
    assert "群众评价" in xml and "受理办件" in xml
    assert "Noto Serif CJK SC" in xml
    with zipfile.ZipFile(io.BytesIO(body)) as z:  # one chart per section with a table
        assert len([n for n in z.namelist() if n.startswith("word/media/")]) == len(report.SECTIONS)
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(report.pdf(data)))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "群众评价" in text and "受理办件" in text
    fonts = {str(f["/BaseFont"]) for page in reader.pages
             for f in page["/Resources"]["/Font"].get_object().values()}
    assert any("CJK" in name for name in fonts), fonts


def test_empty_year_and_bad_year(world, tmp_path):
    data = report.build(2021, world.centre)
    assert not data["has_data"] and data["sections"] == []
    with zipfile.ZipFile(io.BytesIO(report.docx(data))) as z:
        assert "没有" in z.read("word/document.xml").decode()
    with pytest.raises(ValidationError) as e:
        report.build(2999, world.centre)
    assert "2999" in " ".join(e.value.messages)


def test_report_command_writes_both(world, figures, tmp_path):
    month = figures["month"]
    out = io.StringIO()
    call_command("report", str(month.year), "--centre", world.centre.code, "--output", str(tmp_path), stdout=out)
    names = sorted(p.suffix for p in tmp_path.iterdir())
    assert names == [".docx", ".pdf"]


def test_report_page(world, figures, login, client):
    login(world.office)
    answer = client.get(reverse("dashboard:report"), {"year": figures["month"].year, "centre": world.centre.code,
                                                      "format": "docx"})
    assert answer.status_code == 200 and answer["Content-Type"].startswith("application/vnd.openxml")
    assert client.get(reverse("dashboard:report"), {"centre": world.other_centre.code,
                                                    "format": "pdf"}).status_code == 403
    login(world.member)
    assert client.get(reverse("dashboard:report")).status_code == 403


def test_figures_show_command(world, figures):
    out = io.StringIO()
    call_command("figures", "show", "--scope", f"centre:{world.centre.pk}", "--metric", "accepted", "--month",
                 f"{figures['month']:%Y-%m}", stdout=out)
    assert "stored 4, live 4" in out.getvalue()


@pytest.mark.slow
@pytest.mark.django_db
def test_the_demo_years_report_equals_the_dashboard_and_has_its_charts(monkeypatch):
    """The demo's records (posts, ratings, cases, pledges), figures refreshed: every number of the
    report's month-by-month tables is the dashboard's number for that month and the count of its
    rows; each section has its chart, in the .docx and in the .pdf. With a tenth of the demo's daily
    ratings (as test_full_demo_command_builds_every_app_once): the year of ~94,000 ratings, their
    transactions and satisfaction rows were most of this test's time (the suite's slowest), and
    every month still has ratings of every kind, so every comparison below still runs on numbers."""
    from django.utils import timezone

    from vanguard.cases import demo as cases_demo
    from vanguard.core.demo import DemoContext
    from vanguard.core.system import SYSTEM
    from vanguard.dashboard import services
    from vanguard.org.demo import build_centre
    from vanguard.pledges import demo as pledges_demo
    from vanguard.posts import demo as posts_demo
    from vanguard.ratings import demo as ratings_demo

    monkeypatch.setattr(ratings_demo, "PER_DAY", (22, 38))
    ctx = DemoContext(password="Demo-pass-99")
    build_centre(ctx)
    for module in (posts_demo, ratings_demo, cases_demo, pledges_demo):
        module.build(ctx)
    services.refresh_figures(SYSTEM, [ctx.centre], full=True)
    year = timezone.localdate().year
    data = report.build(year, ctx.centre)
    assert data["has_data"]
    scope = selectors.check_scope(SYSTEM, f"centre:{ctx.centre.pk}")
    months = [datetime.date(year, m, 1) for m in range(1, 13)]
    table = selectors.figure_table(scope, months)
    compared = 0
    for _title, columns in report.SECTIONS:
        for _key, kind, num, den in columns:
            for month in months:
                mine = report.value_of(data, num, kind, den, month)
                assert mine == selectors.kpi_value(table, kind, num, den, month), (num, month)
                if kind == "count":
                    assert mine == selectors.rows(scope, num, month)[1].count(), (num, month)
                    compared += bool(mine)
    assert compared > 20  # the demo fills most of these months
    charted = [s for s in data["sections"] if s.get("chart")]
    assert len(charted) == len(report.SECTIONS)
    with zipfile.ZipFile(io.BytesIO(report.docx(data))) as z:
        images = [n for n in z.namelist() if n.startswith("word/media/") and n.endswith(".png")]
    assert len(images) == len(charted)
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(report.pdf(data)))
    # Pages share their resources: count the distinct images.
    assert len({image.data for page in reader.pages for image in page.images}) == len(charted)
