import datetime
import time

import pytest
from django.test import Client
from django.urls import reverse

from vanguard.life import demo, selectors, services
from vanguard.life.models import Meeting


@pytest.mark.slow
@pytest.mark.django_db
def test_demo_year_of_life_and_its_figures_page():
    from vanguard.core.demo import DemoContext
    from vanguard.org.demo import build_centre

    ctx = DemoContext(password="Demo-pass-99")
    build_centre(ctx)
    started = time.monotonic()
    demo.build(ctx)
    took = time.monotonic() - started
    assert took < 30, f"life demo took {took:.1f} s"
    print(f"life demo: {took:.1f} s")
    centre, today = ctx.centre, ctx.today
    first, last = today - datetime.timedelta(days=366), today
    totals = {}
    for code in ("contact", "bin_duty", "cleanup", "community"):
        rows = selectors.activity_by_person(centre, first, last, kind=code)
        totals[code] = (sum(r["times"] for r in rows.values()), sum(r["hours"] for r in rows.values()))
    assert totals["contact"][0] == demo.CONTACTS
    assert totals["bin_duty"][0] == demo.BIN_DUTIES
    assert abs(totals["bin_duty"][1] - demo.BIN_HOURS) < 100
    assert totals["cleanup"][0] == demo.CLEANUP_TIMES
    assert totals["community"][0] == demo.COMMUNITY_TURNS
    attendance = selectors.attendance_by_person(centre, first, last)
    assert sum(r["leave"] for r in attendance.values()) and sum(r["absent"] for r in attendance.values())
    assert sum(r["makeup"] for r in attendance.values())
    overdue = {b for b, _k, _p in services.overdue(centre, today)}
    assert overdue == {ctx.branches[-1]}
    assert Meeting.objects.filter(status="planned").exists()
    client = Client()
    client.force_login(ctx.users["office"])
    page = client.get(reverse("life:figures") + f"?year={today.year}").content.decode()
    assert "1+10联系" in page and "桶前值守" in page and "周末大扫除" in page
    # the secretary's to-do: a leave request and two activities wait
    client.force_login(ctx.users["secretary"])
    page = client.get(reverse("life:approvals")).content.decode()
    assert "外出学习培训" in page and "参加社区志愿服务" in page
