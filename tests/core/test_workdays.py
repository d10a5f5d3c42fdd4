import datetime
import warnings

import pytest

from vanguard.core.models import CalendarOverride, CalendarYear
from vanguard.core.workdays import (
    CalendarNotCoveredWarning,
    WorkingCalendar,
    add_working_days,
    is_working_day,
    working_days_between,
)

D = datetime.date


@pytest.mark.django_db
class TestOfficialCalendar:
    def test_national_day_week_is_skipped(self):
        # 2026-09-30 is a Wednesday; 1-7 October is the National Day holiday.
        assert add_working_days(D(2026, 9, 30), 1) == D(2026, 10, 8)

    def test_make_up_saturday_counts(self):
        # 2026-10-10 (Saturday) is an official make-up workday.
        assert is_working_day(D(2026, 10, 10))
        assert not is_working_day(D(2026, 10, 11))

    def test_spring_festival_2026(self):
        cal = WorkingCalendar()
        assert not cal.is_working_day(D(2026, 2, 17))  # the Spring Festival itself

    def test_between_is_inverse_of_add(self):
        start = D(2026, 9, 25)
        for n in range(0, 15):
            end = add_working_days(start, n)
            if n:
                assert working_days_between(start, end) == n

    def test_zero_days_rolls_forward_to_a_working_day(self):
        assert add_working_days(D(2026, 10, 1), 0) == D(2026, 10, 8)

    def test_negative_days_go_back(self):
        assert add_working_days(D(2026, 10, 8), -1) == D(2026, 9, 30)


@pytest.mark.django_db
class TestUncoveredYears:
    def test_2027_warns_and_uses_weekdays(self):
        with pytest.warns(CalendarNotCoveredWarning, match="2027"):
            result = add_working_days(D(2026, 12, 30), 3)
        assert result == D(2027, 1, 4)  # Thu 31, Fri 1, Mon 4: weekdays only, and a warning

    def test_2027_can_be_entered(self):
        CalendarOverride.objects.create(date=D(2027, 1, 1), kind=CalendarOverride.Kind.HOLIDAY, note="元旦")
        CalendarYear.objects.create(year=2027)
        with warnings.catch_warnings():
            warnings.simplefilter("error", CalendarNotCoveredWarning)
            assert add_working_days(D(2026, 12, 30), 3) == D(2027, 1, 5)

    def test_override_beats_the_package(self):
        CalendarOverride.objects.create(date=D(2026, 10, 10), kind=CalendarOverride.Kind.HOLIDAY)
        assert not is_working_day(D(2026, 10, 10))

    def test_warning_text_is_chinese_in_zh_hans(self):
        from django.utils import translation

        cal = WorkingCalendar()
        cal.is_working_day(D(2027, 3, 3))
        with translation.override("zh-hans"):
            assert "2027" in cal.warning()
            assert "节假日" in cal.warning()
