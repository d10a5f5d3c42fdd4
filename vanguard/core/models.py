from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .roles import ORGANIZATION_ROLES, UNIT_ROLES, UNSCOPED_ROLES, Role
from .scoping import ScopedQuerySet


class UserQuerySet(ScopedQuerySet):
    def scoped(self, scope, user):
        """Administrators see every account; the office sees the accounts that hold a
        grant or belong to a person in its centre; the security administrator sees every
        account; anyone sees their own."""
        if Role.SECURITY_ADMIN in scope.duties:
            return self.all()
        q = models.Q(pk=user.pk)
        centres = scope.centres(Role.OFFICE)
        if centres:
            q |= (models.Q(grants__organization__centre__in=centres) | models.Q(grants__unit__centre__in=centres)
                  | models.Q(person__centre__in=centres))
        return self.filter(q).distinct()


class ScopedUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    """A login account. The person it belongs to (if any) is `user.person`."""

    objects = ScopedUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")


class Grant(models.Model):
    """One role for one user over one scope: a subtree of the party tree, or a unit.
    An administrator's grant has no scope: it covers everything."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="grants",
                             verbose_name=_("user"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    organization = models.ForeignKey("org.Organization", null=True, blank=True, on_delete=models.CASCADE,
                                     related_name="grants", verbose_name=_("party organisation"))
    unit = models.ForeignKey("org.Unit", null=True, blank=True, on_delete=models.CASCADE,
                             related_name="grants", verbose_name=_("unit"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("grant")
        verbose_name_plural = _("grants")
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "organization", "unit"], name="grant_unique"),
            # Separation of duties: at most one of administrator / system / security / audit
            # administrator per account, kept by the database whatever path writes grants.
            models.UniqueConstraint(fields=["user"], condition=models.Q(role__in=sorted(UNSCOPED_ROLES)),
                                    name="grant_one_administrative_duty"),
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} · {self.organization or self.unit or _('everything')}"

    def clean(self):
        if self.role in ORGANIZATION_ROLES and not self.organization_id:
            raise ValidationError({"organization": _("This role is granted over a party organisation.")})
        if self.role in UNIT_ROLES and not self.unit_id:
            raise ValidationError({"unit": _("This role is granted over a unit.")})
        if self.role in UNSCOPED_ROLES and (self.organization_id or self.unit_id):
            raise ValidationError(_("An administrator's grant has no scope."))


class AuditQuerySet(ScopedQuerySet):
    def scoped(self, scope, user):
        """The audit administrator reads the whole trail (every administrator's actions
        included); a centre's office reads its centre's rows."""
        if Role.AUDIT_ADMIN in scope.duties:
            return self.all()
        return self.filter(centre__in=scope.centres(Role.OFFICE))

    # Append-only: rows are written by vanguard.core.audit and never changed or removed
    # through the ORM (on PostgreSQL a trigger refuses UPDATE and DELETE as well).
    def update(self, **kwargs):
        raise AuditTrailIsAppendOnly(_("The audit trail cannot be changed."))

    def delete(self):
        raise AuditTrailIsAppendOnly(_("The audit trail cannot be changed."))

    update.queryset_only = True
    delete.queryset_only = True


class AuditTrailIsAppendOnly(Exception):
    pass


class AuditEntry(models.Model):
    """Who changed what, when, from where. Written by services through
    vanguard.core.audit, never edited: each row carries the hash of the row before it
    in its chain (its centre's or a finer one's, in id order) and its own, so an edited, removed or
    inserted row breaks the chain (`vanguard audit verify`)."""

    class Action(models.TextChoices):
        CREATE = "create", _("Create")
        UPDATE = "update", _("Update")
        DELETE = "delete", _("Delete")
        IMPORT = "import", _("Import")
        ACTION = "action", _("Action")

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    # No database constraint on actor and centre: an entry outlives the account and the
    # centre it names, unchanged (SET NULL would rewrite the trail and break its chain).
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.DO_NOTHING,
                              related_name="+", verbose_name=_("actor"), db_constraint=False)
    actor_name = models.CharField(_("actor"), max_length=150, blank=True)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    # An event name from vanguard.core.audit_events (stored untranslated, translated when shown).
    verb = models.CharField(_("what"), max_length=100, blank=True)
    # model and object_id are looked up together (the index below), or by model as its prefix:
    # no index of their own, each would be one more to update on every audited write.
    model = models.CharField(_("object type"), max_length=100)
    object_id = models.CharField(_("object id"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=200)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    # db_index=False: audit_centre_newest (centre, -at, -id) serves every lookup by centre.
    centre = models.ForeignKey("org.ServiceCentre", null=True, blank=True, on_delete=models.DO_NOTHING,
                               related_name="+", verbose_name=_("service centre"), db_constraint=False,
                               db_index=False)
    prev_hash = models.CharField(_("previous hash"), max_length=64, blank=True)
    hash = models.CharField(_("hash"), max_length=64, blank=True)
    # 2: the chain of the entry's centre (one for entries of no centre); 1: the one chain of the
    # whole trail that entries written before the chains were split form (vanguard.core.audit).
    chain = models.PositiveSmallIntegerField(_("chain"), default=2)
    # Within chain 2: "" for the centre's own chain, else the key of a finer chain of the centre
    # (audit.object_chain: a meeting's sign-ins). The database default serves raw bulk inserts.
    chain_key = models.CharField(_("chain key"), max_length=100, blank=True, default="", db_default="")

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        ordering = ["-at", "-id"]
        # The trail page reads a centre's rows newest first (the ordering).
        indexes = [models.Index(fields=["model", "object_id", "-at"]),
                   models.Index(fields=["chain", "centre", "chain_key", "-id"], name="audit_chain_key_head"),
                   models.Index(fields=["centre", "-at", "-id"], name="audit_centre_newest")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise AuditTrailIsAppendOnly(_("The audit trail cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditTrailIsAppendOnly(_("The audit trail cannot be changed."))

    @property
    def event_label(self):
        from .audit_events import label

        return label(self.verb)


class CalendarOverride(models.Model):
    """An administrator's correction to the official calendar, or a year the
    package does not cover yet (e.g. 2027 entered by hand)."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Holiday (no work)")
        WORKDAY = "workday", _("Make-up workday")

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    note = models.CharField(_("note"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {self.get_kind_display()}"


class CalendarYear(models.Model):
    """A year whose holidays an administrator has entered completely, so that
    deadlines in it no longer carry a warning."""

    year = models.PositiveIntegerField(_("year"), unique=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name=_("confirmed by"))
    confirmed_at = models.DateTimeField(_("confirmed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("entered calendar year")
        verbose_name_plural = _("entered calendar years")

    def __str__(self):
        return str(self.year)


class PeriodicJob(models.Model):
    """Bookkeeping of the schedule in core/schedule.py. A worker claims a due run
    by moving next_run_at forward with a conditional UPDATE; only one worker's
    UPDATE can match, so a run is never enqueued twice."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    next_run_at = models.DateTimeField(_("next run"))
    last_run_at = models.DateTimeField(_("last run"), null=True, blank=True)
    last_claimed_by = models.CharField(_("claimed by"), max_length=100, blank=True)
    # The task result of the last run: a run still queued or running holds back the next one.
    last_task_id = models.CharField(_("last task"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("periodic job")
        verbose_name_plural = _("periodic jobs")

    def __str__(self):
        return self.name


class WorkerHeartbeat(models.Model):
    """`vanguard worker` says it is alive every ~30 seconds. Pages that depend on
    it warn when no worker has been seen for two minutes (core/workers.py)."""

    worker_id = models.CharField(_("worker"), max_length=100, unique=True)
    hostname = models.CharField(_("host"), max_length=100, blank=True)
    started_at = models.DateTimeField(_("started at"))
    seen_at = models.DateTimeField(_("last seen"), db_index=True)

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self):
        return self.worker_id


class UploadJobQuerySet(ScopedQuerySet):
    def scoped(self, scope, user):
        """A job is its uploader's (its progress and its messages name rows of their file)."""
        return self.filter(user=user)


class UploadJob(models.Model):
    """A large workbook handed to the worker (core/upload_jobs.py): its state, read by the
    uploader's page while the worker reads and saves it. In the database, not the cache: the
    web processes and the worker share no memory."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Waiting for the background worker")
        READING = "reading", _("Reading the file")
        SAVING = "saving", _("Saving")
        DONE = "done", _("Done")
        FAILED = "failed", _("Refused by the checks")

    token = models.CharField(max_length=32, unique=True)
    # The dotted path of the function that reads and saves the file (set by the server, never the user).
    handler = models.CharField(max_length=200)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    centre = models.ForeignKey("org.ServiceCentre", on_delete=models.CASCADE, related_name="+")
    options = models.JSONField(default=dict, blank=True)
    file = models.CharField(max_length=200)
    file_name = models.CharField(_("file"), max_length=200, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(null=True, blank=True)
    messages = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = UploadJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("upload job")
        verbose_name_plural = _("upload jobs")
        indexes = [models.Index(fields=["user", "state"])]

    def __str__(self):
        return f"{self.file_name} ({self.state})"

    @property
    def finished(self):
        return self.state in (self.State.DONE, self.State.FAILED)
