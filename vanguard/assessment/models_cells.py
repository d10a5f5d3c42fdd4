"""Computed cells, stored compactly, and the cells every reader sees.

A city month has 300,000 assessed people x 14 rules: 4.2 million computed cells. Stored as
`Score` rows they cost a minute and more to write on every computation (each row an index entry
and three foreign-key checks), so they are kept instead as one `ComputedRow` per person and
month: the points and figures of all the month's rules in one JSON value, with each part's sum
beside it for publication. Score rows hold what people entered: hand cells and a scorer's
override of a computed cell (with its reason).

`Cell` is a database view of both (migration 0012): the Score rows, and each computed cell
that no Score row of the same person and indicator overrides. The grid, the member's page, the
records page, the API, the Excel template and the counts of what is left to score read it, so
there is one definition of "the cell" in SQL, for PostgreSQL and SQLite alike. (A migration that
changes the type of a Score column the view names must drop and re-create the view around it:
PostgreSQL refuses to alter a column a view reads.)
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from vanguard.org.models import Person

from .models import POINTS, Indicator, Period, Score, ScoreQuerySet


class ComputedRow(models.Model):
    """One person's computed cells in one month: `cells` is {indicator id: [points, figures]}
    (the rule's points and the source's value-dict), written by `auto.compute_month` only
    while the month is being scored; after publication it is what was published."""

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="computed_rows",
                               verbose_name=_("month"), db_index=False)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+", verbose_name=_("person"))
    cells = models.JSONField(_("computed cells"))
    # Per part: the rules' points summed, how many cells, and their defaults summed (publication adds
    # these to the Score rows' sums instead of unpacking the JSON of every person).
    party_sum = models.DecimalField(_("party points by the rules"), max_digits=8, decimal_places=1)
    party_cells = models.PositiveSmallIntegerField(_("party cells by the rules"))
    party_base = models.DecimalField(_("defaults of the party cells by the rules"), max_digits=8, decimal_places=1)
    work_sum = models.DecimalField(_("work points by the rules"), max_digits=8, decimal_places=1)
    work_cells = models.PositiveSmallIntegerField(_("work cells by the rules"))
    work_base = models.DecimalField(_("defaults of the work cells by the rules"), max_digits=8, decimal_places=1)
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("computed row")
        verbose_name_plural = _("computed rows")
        constraints = [models.UniqueConstraint(fields=["period", "person"], name="computedrow_unique")]

    def __str__(self):
        return f"{self.period_id} {self.person_id}"


class Cell(models.Model):
    """A cell of the month as people see it (a view, read-only): a Score row, or a computed cell
    no Score row overrides. `score` is the Score row's id (None: computed, nothing entered)."""

    pk = models.CompositePrimaryKey("period_id", "person_id", "indicator_id")
    score = models.ForeignKey(Score, null=True, on_delete=models.DO_NOTHING, related_name="+",
                              db_constraint=False)
    period = models.ForeignKey(Period, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False)
    person = models.ForeignKey(Person, on_delete=models.DO_NOTHING, related_name="assessment_cells",
                               db_constraint=False)
    indicator = models.ForeignKey(Indicator, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False)
    points = models.DecimalField(**POINTS)
    note = models.CharField(max_length=200)
    scored_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.DO_NOTHING,
                                  related_name="+", db_constraint=False)
    scored_at = models.DateTimeField()
    computed = models.BooleanField()
    computed_points = models.DecimalField(**POINTS, null=True)
    source_value = models.JSONField(null=True)
    override_reason = models.CharField(max_length=200)

    objects = ScoreQuerySet.as_manager()

    class Meta:
        managed = False
        db_table = "assessment_cell"

    def __str__(self):
        return f"{self.period_id} {self.person_id} {self.indicator_id} {self.points}"
