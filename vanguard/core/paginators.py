"""Paginators whose count stays cheap at city scale."""

from django.core.paginator import Paginator
from django.utils.functional import cached_property

COUNT_CAP = 10_000


class CappedPaginator(Paginator):
    """Counts at most COUNT_CAP rows (`SELECT count(*) FROM (... LIMIT cap + 1)`):
    an exact count of 300,000 people costs a scan for a figure nobody pages
    through. Past the cap the list shows "10,000+" and pages up to the cap;
    filters narrow it."""

    cap = COUNT_CAP

    @cached_property
    def count(self):
        rows = self.object_list
        # django-tables2 pages its BoundRows: count the queryset underneath.
        queryset = getattr(getattr(rows, "data", None), "data", rows)
        counted = queryset[:self.cap + 1].count() if hasattr(queryset, "query") else len(rows)
        self.capped = counted > self.cap
        return min(counted, self.cap)

    capped = False
