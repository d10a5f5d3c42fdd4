"""The working-day calendar: official holidays and make-up workdays from
`chinesecalendar`, corrected by administrators' overrides. A year neither
covers (the package stops at 2026) falls back to Monday-Friday and is
reported, so a deadline there carries a visible warning."""

import datetime
import warnings

import chinese_calendar

from .models import CalendarOverride, CalendarYear


class CalendarNotCoveredWarning(UserWarning):
    pass


def _package_covers(year):
    try:
        chinese_calendar.is_workday(datetime.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


class WorkingCalendar:
    """Loads the overrides once; use one instance for a batch of computations."""

    def __init__(self):
        self.overrides = {o.date: o.kind for o in CalendarOverride.objects.all()}
        self.entered_years = set(CalendarYear.objects.values_list("year", flat=True))
        self.uncovered = set()

    def covers(self, year):
        return year in self.entered_years or _package_covers(year)

    def is_working_day(self, day):
        kind = self.overrides.get(day)
        if kind is not None:
            return kind == CalendarOverride.Kind.WORKDAY
        if _package_covers(day.year):
            return chinese_calendar.is_workday(day)
        if day.year not in self.entered_years:
            self.uncovered.add(day.year)
        return day.weekday() < 5

    def add_working_days(self, start, n):
        """The date n working days after `start` (n >= 0; 0 gives the first
        working day on or after start)."""
        day = start
        if n == 0:
            while not self.is_working_day(day):
                day += datetime.timedelta(days=1)
            return day
        step = 1 if n > 0 else -1
        remaining = abs(n)
        while remaining:
            day += datetime.timedelta(days=step)
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, a, b):
        """Working days in (a, b]: the number of working days that pass from a to b."""
        if b < a:
            return -self.working_days_between(b, a)
        count, day = 0, a
        while day < b:
            day += datetime.timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count

    def warning(self):
        if not self.uncovered:
            return ""
        years = "、".join(str(y) for y in sorted(self.uncovered))
        from django.utils.translation import gettext

        return gettext(
            "The holiday calendar for %(years)s has not been entered; weekends only were skipped. "
            "An administrator should enter that year's holidays."
        ) % {"years": years}


def _warn(calendar):
    message = calendar.warning()
    if message:
        warnings.warn(message, CalendarNotCoveredWarning, stacklevel=3)


def add_working_days(start, n):
    calendar = WorkingCalendar()
    result = calendar.add_working_days(start, n)
    _warn(calendar)
    return result


def working_days_between(a, b):
    calendar = WorkingCalendar()
    result = calendar.working_days_between(a, b)
    _warn(calendar)
    return result


def is_working_day(day):
    calendar = WorkingCalendar()
    result = calendar.is_working_day(day)
    _warn(calendar)
    return result


def uncovered_years(start, end):
    """Years in [start, end] for which deadlines would carry a warning."""
    calendar = WorkingCalendar()
    return [y for y in range(start.year, end.year + 1) if not calendar.covers(y)]
