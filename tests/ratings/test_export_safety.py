from django.urls import reverse

from ..export_checks import assert_safe_workbook


def test_transactions_template_goes_through_the_safe_writer(world, login):
    response = login(world.office).get(reverse("ratings:transaction-template"))
    assert response.status_code == 200
    assert_safe_workbook(response.content)
