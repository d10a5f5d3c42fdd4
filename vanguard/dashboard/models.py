"""The figures room's tables: pre-aggregated figures (one row per centre, month, metric
and scope: the centre itself, or one floor, branch, unit, window, vanguard post or person), when they
were computed, and the hall's big screens (signed, revocable URLs)."""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from vanguard.core.roles import Role
from vanguard.core.scoping import ScopedQuerySet
from vanguard.org.models import ServiceCentre


class Dim(models.TextChoices):
    CENTRE = "centre", _("Service centre")
    FLOOR = "floor", _("Floor")
    BRANCH = "branch", _("Party branch")
    UNIT = "unit", _("Unit")
    WINDOW = "window", _("Window")
    POST = "post", _("Vanguard post")
    PERSON = "person", _("Person")


class FigureQuerySet(ScopedQuerySet):
    def scoped(self, scope, user):
        """Figure rows are read through selectors.allowed(): here only the office's centres."""
        return self.filter(centre__in=scope.centres(Role.OFFICE))


class Figure(models.Model):
    """A count (`n`) and, for averages, a sum (`total`) of one metric's rows in one month."""

    centre = models.ForeignKey(ServiceCentre, on_delete=models.CASCADE, related_name="+", db_index=False)
    month = models.DateField(_("month"))
    metric = models.CharField(_("figure"), max_length=24)
    dim = models.CharField(_("scope"), max_length=8, choices=Dim.choices)
    key = models.BigIntegerField(_("scope id"), default=0)
    n = models.IntegerField(_("count"), default=0)
    total = models.DecimalField(_("sum"), max_digits=14, decimal_places=2, default=0)

    objects = FigureQuerySet.as_manager()

    class Meta:
        verbose_name = _("figure")
        verbose_name_plural = _("figures")
        constraints = [models.UniqueConstraint(fields=["centre", "dim", "key", "metric", "month"],
                                               name="figure_once")]
        indexes = [models.Index(fields=["dim", "key", "month"], name="figure_scope_month"),
                   models.Index(fields=["month", "dim", "metric"], name="figure_month_dim")]

    def __str__(self):
        return f"{self.centre_id} {self.month:%Y-%m} {self.metric} {self.dim}:{self.key} = {self.n}"


class RefreshQuerySet(ScopedQuerySet):
    def scoped(self, scope, user):
        return self.filter(centre__in=scope.centre_ids)


class Refresh(models.Model):
    """When a centre's figures were last computed (and how long it took)."""

    centre = models.OneToOneField(ServiceCentre, on_delete=models.CASCADE, related_name="+")
    computed_at = models.DateTimeField(_("computed at"))
    first_month = models.DateField(_("from month"))
    last_month = models.DateField(_("to month"))
    seconds = models.FloatField(_("seconds"), default=0)

    objects = RefreshQuerySet.as_manager()

    class Meta:
        verbose_name = _("figures refresh")
        verbose_name_plural = _("figures refreshes")

    def __str__(self):
        return f"{self.centre_id} @ {self.computed_at}"


class SourceMark(models.Model):
    """What one centre-month's sources looked like when its figures were last computed: a digest
    of every metric's row count, highest id, latest update (where the source has one) and sum.
    The hourly refresh recomputes only the centre-months whose digest changed."""

    centre = models.ForeignKey(ServiceCentre, on_delete=models.CASCADE, related_name="+", db_index=False)
    month = models.DateField(_("month"))
    digest = models.CharField(max_length=40)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["centre", "month"], name="source_mark_once")]

    def __str__(self):
        return f"{self.centre_id} {self.month:%Y-%m} {self.digest[:8]}"


def new_nonce():
    return secrets.token_urlsafe(12)


class ScreenQuerySet(ScopedQuerySet):
    def scoped(self, scope, user):
        return self.filter(centre__in=scope.centres(Role.OFFICE))


class Screen(models.Model):
    """One big screen in a hall. Its URL is signed (screen id and nonce); revoking it, or
    issuing a new URL (a new nonce), makes the old URL answer 404."""

    centre = models.ForeignKey(ServiceCentre, on_delete=models.CASCADE, related_name="+",
                               verbose_name=_("service centre"))
    name = models.CharField(_("name"), max_length=60)
    nonce = models.CharField(max_length=24, default=new_nonce, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScreenQuerySet.as_manager()

    class Meta:
        verbose_name = _("big screen")
        verbose_name_plural = _("big screens")
        ordering = ["centre", "name"]

    def __str__(self):
        return self.name
