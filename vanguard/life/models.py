"""Organisational life (组织生活): the branch's meetings and who attended them, and the
service activities (志愿服务) members take part in, with their hours.

A meeting belongs to one party organisation (a branch, usually); the members
expected at it each have one `Attendance` row, created when the meeting is planned.
A member signs in once (`SignIn`, unique per meeting and person); the secretary
approves leave and records make-up study (补学). An activity is recorded once with
its people (`ActivityParticipant`): one member's own record, or a group's.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from vanguard.core.roles import Role
from vanguard.core.scoping import ScopedQuerySet
from vanguard.org.models import Organization, Person, ServiceCentre


class MeetingKind(models.TextChoices):
    MEMBERS = "members", _("Branch members' meeting")
    COMMITTEE = "committee", _("Branch committee meeting")
    GROUP = "group", _("Party group meeting")
    LESSON = "lesson", _("Party lesson")
    THEME_DAY = "theme_day", _("Theme party day")
    LIFE = "life", _("Organisational life meeting")
    APPRAISAL = "appraisal", _("Democratic appraisal of members")


# How often a branch must hold each kind, in months (the branch work regulations:
# committee and group meetings and the theme day monthly, the members' meeting and the
# lesson quarterly, the life meeting and the appraisal yearly). A centre may change them.
DEFAULT_CADENCE = {
    MeetingKind.MEMBERS: 3,
    MeetingKind.COMMITTEE: 1,
    MeetingKind.GROUP: 1,
    MeetingKind.LESSON: 3,
    MeetingKind.THEME_DAY: 1,
    MeetingKind.LIFE: 12,
    MeetingKind.APPRAISAL: 12,
}
CADENCE_CHOICES = [(0, _("Not required")), (1, _("Monthly")), (3, _("Quarterly")), (6, _("Half-yearly")),
                   (12, _("Yearly"))]


def scope_q(scope, org_lookup, centre_lookup, own=None):
    """Rows of the office's centres, the secretary's subtrees and, given `own` (a pair: the Q of the
    member's own rows, a queryset of those outside the office's centres), the member's own rows.

    As few ORs as give the same rows: `subtree OR centre OR own` keeps PostgreSQL from driving a query
    by the centre's index (a city office's attendance records read every centre's meetings of the year:
    1.9 s). The office's subtrees lie in its centres (an organisation's parent is in its own centre:
    org.services._check_same_centre), and the member's own rows are left out when none lies outside the
    office's centres (asked once a request: _has_own_outside)."""
    centres = scope.centres(Role.OFFICE)
    q = scope.org_q(org_lookup, Role.SECRETARY) if scope.paths(Role.SECRETARY) else None
    if centres:
        by_centre = Q(**{f"{centre_lookup}__in": centres})
        q = by_centre if q is None else q | by_centre
    if own is not None and scope.person_id:
        own_q, outside = own
        if not centres or _has_own_outside(scope, outside):
            q = own_q if q is None else q | own_q
    return Q(pk__in=[]) if q is None else q


def _has_own_outside(scope, outside):
    """Has the member rows outside their office's centres (`outside` a queryset of them)? Kept on the
    scope (one request's) by the rows' model."""
    kept = scope.__dict__.setdefault("_life_own_outside", {})
    key = outside.model
    if key not in kept:
        kept[key] = outside.exists()
    return kept[key]


def _own_attendance(scope):
    """The member's attendance rows, and those of them at meetings outside the office's centres."""
    rows = Attendance.objects.filter(person_id=scope.person_id)
    return rows, rows.exclude(meeting__centre__in=scope.centres(Role.OFFICE))


def _own_participation(scope):
    rows = ActivityParticipant.objects.filter(person_id=scope.person_id)
    return rows, rows.exclude(activity__centre__in=scope.centres(Role.OFFICE))


class CadenceQuerySet(ScopedQuerySet):
    def scoped(self, scope, user):
        return self.filter(centre__in=scope.centre_ids)


class Cadence(models.Model):
    """A centre's own cadence for one meeting kind (absent: the regulation's default)."""

    centre = models.ForeignKey(ServiceCentre, on_delete=models.CASCADE, related_name="meeting_cadences",
                               verbose_name=_("service centre"))
    kind = models.CharField(_("meeting kind"), max_length=12, choices=MeetingKind.choices)
    months = models.PositiveSmallIntegerField(_("required every"), choices=CADENCE_CHOICES)

    objects = CadenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("meeting cadence")
        verbose_name_plural = _("meeting cadences")
        constraints = [models.UniqueConstraint(fields=["centre", "kind"], name="life_cadence_unique")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.get_months_display()}"


class MeetingQuerySet(ScopedQuerySet):
    def scoped(self, scope, user):
        own = None
        if scope.person_id:
            rows, outside = _own_attendance(scope)
            own = Q(pk__in=rows.values("meeting_id")), outside
        return self.filter(scope_q(scope, "organization", "centre", own))


class Meeting(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        HELD = "held", _("Held")

    centre = models.ForeignKey(ServiceCentre, on_delete=models.CASCADE, related_name="meetings",
                               verbose_name=_("service centre"), editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="meetings",
                                     verbose_name=_("party organisation"))
    kind = models.CharField(_("meeting kind"), max_length=12, choices=MeetingKind.choices)
    topic = models.CharField(_("topic"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    # The local date of starts_at, for the month's and the year's counts.
    date = models.DateField(_("date"), editable=False, db_index=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    host = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                             verbose_name=pgettext_lazy("meeting", "host"))
    recorder = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                 verbose_name=_("recorder"))
    minutes = models.TextField(_("minutes"), blank=True)
    resolutions = models.TextField(_("resolutions"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-starts_at", "-pk"]
        indexes = [
            models.Index(fields=["centre", "status", "date"], name="life_meeting_centre_date"),
            models.Index(fields=["organization", "kind", "date"], name="life_meeting_org_kind"),
            # The list's newest first in the chosen centre (filters.centre_choice): a page read off the index.
            models.Index(fields=["centre", "starts_at"], name="life_meeting_centre_starts"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.topic}"

    @property
    def is_held(self):
        return self.status == self.Status.HELD


class MeetingFileQuerySet(ScopedQuerySet):
    def scoped(self, scope, user):
        return self.filter(meeting__in=Meeting.objects.visible_to(user).values("pk"))


class MeetingFile(models.Model):
    class Kind(models.TextChoices):
        ATTACHMENT = "attachment", _("Minutes attachment")
        PHOTO = "photo", _("Photo")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="files", verbose_name=_("meeting"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.ATTACHMENT)
    file = models.FileField(_("file"), upload_to="private/life/%Y/")
    name = models.CharField(_("file name"), max_length=200)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    objects = MeetingFileQuerySet.as_manager()

    class Meta:
        verbose_name = _("meeting file")
        verbose_name_plural = _("meeting files")
        ordering = ["pk"]

    def __str__(self):
        return self.name


class AttendanceQuerySet(ScopedQuerySet):
    def scoped(self, scope, user):
        own = None
        if scope.person_id:  # SignIn's rows too (this is its queryset): the outside ones are of its own table
            rows = self.model.objects.filter(person_id=scope.person_id)
            own = Q(person_id=scope.person_id), rows.exclude(meeting__centre__in=scope.centres(Role.OFFICE))
        return self.filter(scope_q(scope, "meeting__organization", "meeting__centre", own))


class Attendance(models.Model):
    """One expected member at one meeting."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Not yet recorded")
        PRESENT = "present", _("Present")
        LEAVE = "leave", _("On leave")
        ABSENT = "absent", _("Absent")

    class Method(models.TextChoices):
        QR = "qr", _("Phone sign-in")
        SECRETARY = "secretary", _("Ticked by the secretary")

    # No index of its own: the unique (meeting, person) and the (meeting, status) indexes lead with it.
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances",
                                verbose_name=_("meeting"), db_index=False)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="attendances",
                               verbose_name=_("person"))
    status = models.CharField(_("attendance"), max_length=10, choices=Status.choices, default=Status.PENDING)
    method = models.CharField(_("recorded by"), max_length=10, choices=Method.choices, blank=True)
    signed_in_at = models.DateTimeField(_("signed in at"), null=True, blank=True)
    leave_reason = models.CharField(_("reason for leave"), max_length=200, blank=True)
    leave_requested_at = models.DateTimeField(_("leave requested at"), null=True, blank=True)
    leave_approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                          related_name="+", verbose_name=_("leave approved by"))
    leave_approved_at = models.DateTimeField(_("leave approved at"), null=True, blank=True)
    makeup_on = models.DateField(_("make-up study on"), null=True, blank=True)
    makeup_note = models.CharField(_("make-up study"), max_length=200, blank=True)

    objects = AttendanceQuerySet.as_manager()

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        ordering = ["meeting", "pk"]
        constraints = [models.UniqueConstraint(fields=["meeting", "person"], name="life_attendance_unique")]
        indexes = [
            models.Index(fields=["person", "meeting"], name="life_attendance_person"),
            # A centre's year of figures (expected, present per meeting) from the index alone, without
            # reading the rows (selectors.figures); on PostgreSQL it carries the person, the make-up and
            # the id too, so the assessment's month figures and fingerprint read no row either (a
            # centre's attendance lies scattered over the whole table).
            models.Index(fields=["meeting", "status"], include=["person", "makeup_on", "id"],
                         name="life_attendance_covering"),
            # The leave waiting for a decision (the managers' home and approvals): a few rows of millions.
            models.Index(fields=["meeting"], condition=Q(leave_requested_at__isnull=False, status="pending"),
                         name="life_attendance_leave_waiting"),
        ]

    def __str__(self):
        return f"{self.person} {self.get_status_display()}"

    @property
    def leave_waiting(self):
        return self.leave_requested_at is not None and self.status == self.Status.PENDING


class SignIn(models.Model):
    """A member's sign-in at a meeting: at most one (the database's unique constraint),
    however many phones send it at once."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="sign_ins", verbose_name=_("meeting"))
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="sign_ins", verbose_name=_("person"))
    at = models.DateTimeField(_("signed in at"))
    method = models.CharField(_("recorded by"), max_length=10, choices=Attendance.Method.choices)

    objects = AttendanceQuerySet.as_manager()

    class Meta:
        verbose_name = _("sign-in")
        verbose_name_plural = _("sign-ins")
        constraints = [models.UniqueConstraint(fields=["meeting", "person"], name="life_signin_unique")]

    def __str__(self):
        return f"{self.person} {self.at:%Y-%m-%d %H:%M}"


# Service activities ---------------------------------------------------------------------

# The seed's kinds (code, Chinese name, counted in hours?). Codes are the `kind` values of
# selectors.activity_by_person.
DEFAULT_ACTIVITY_KINDS = [
    ("contact", "1+10联系", False),
    ("community", "下沉社区", True),
    ("bin_duty", "桶前值守", True),
    ("cleanup", "周末大扫除", True),
    ("epidemic", "疫情防控", True),
    ("volunteer", "志愿服务", True),
]


class ActivityKindQuerySet(ScopedQuerySet):
    def scoped(self, scope, user):
        return self.filter(centre__in=scope.centre_ids)


class ActivityKind(models.Model):
    centre = models.ForeignKey(ServiceCentre, on_delete=models.CASCADE, related_name="activity_kinds",
                               verbose_name=_("service centre"))
    code = models.SlugField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=50)
    counts_hours = models.BooleanField(_("hours recorded"), default=True)
    is_active = models.BooleanField(_("in use"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = ActivityKindQuerySet.as_manager()

    class Meta:
        verbose_name = _("activity kind")
        verbose_name_plural = _("activity kinds")
        ordering = ["centre", "sort_order", "pk"]
        constraints = [models.UniqueConstraint(fields=["centre", "code"], name="life_activity_kind_unique")]

    def __str__(self):
        return self.name


class ActivityQuerySet(ScopedQuerySet):
    def scoped(self, scope, user):
        own = None
        if scope.person_id:
            rows, outside = _own_participation(scope)
            own = Q(pk__in=rows.values("activity_id")), outside
        return self.filter(scope_q(scope, "organization", "centre", own))


def evidence_path(instance, filename):
    import os
    import secrets

    return f"private/life/evidence/{datetime.date.today():%Y}/{secrets.token_hex(16)}{os.path.splitext(filename)[1][:10]}"


class Activity(models.Model):
    """One service activity: a member's own record, or a group's (one record, many people)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Sent back")

    centre = models.ForeignKey(ServiceCentre, on_delete=models.CASCADE, related_name="activities",
                               verbose_name=_("service centre"), editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="activities",
                                     verbose_name=_("party organisation"))
    kind = models.ForeignKey(ActivityKind, on_delete=models.PROTECT, related_name="activities",
                             verbose_name=_("activity kind"))
    date = models.DateField(_("date"))
    hours = models.DecimalField(_("hours"), max_digits=4, decimal_places=1, default=Decimal("0"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    description = models.CharField(_("activity content"), max_length=500)
    evidence = models.FileField(_("evidence photo"), upload_to=evidence_path, blank=True)
    is_group = models.BooleanField(_("group activity"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    refusal_reason = models.CharField(_("reason for refusal"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("recorded by"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        verbose_name = _("service activity")
        verbose_name_plural = _("service activities")
        ordering = ["-date", "-pk"]
        indexes = [
            models.Index(fields=["centre", "status", "date"], name="life_activity_centre_date"),
            models.Index(fields=["organization", "status"], name="life_activity_org_status"),
            models.Index(fields=["centre", "date"], name="life_activity_centre_day"),  # the list, newest first
        ]

    def __str__(self):
        return f"{self.kind} {self.date}"


class ParticipantQuerySet(ScopedQuerySet):
    def scoped(self, scope, user):
        own = (Q(person_id=scope.person_id), _own_participation(scope)[1]) if scope.person_id else None
        return self.filter(scope_q(scope, "activity__organization", "activity__centre", own))


class ActivityParticipant(models.Model):
    # Indexed by life_participant_covering below (the foreign key's own index would duplicate it).
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="participants",
                                 verbose_name=_("service activity"), db_index=False)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="activity_records",
                               verbose_name=_("person"))

    objects = ParticipantQuerySet.as_manager()

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [models.UniqueConstraint(fields=["activity", "person"], name="life_participant_unique")]
        indexes = [models.Index(fields=["person", "activity"], name="life_participant_person"),
                   # A centre's month of participants counted from the index alone (PostgreSQL: the
                   # assessment's figures and fingerprint read it by activity, never the rows).
                   models.Index(fields=["activity"], include=["person", "id"], name="life_participant_covering")]

    def __str__(self):
        return str(self.person)


class ReminderQuerySet(ScopedQuerySet):
    def scoped(self, scope, user):
        return self.filter(scope_q(scope, "organization", "organization__centre"))


class MeetingReminder(models.Model):
    """A reminder sent to a branch's secretary that a meeting kind falls due: once per period."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="meeting_reminders",
                                     verbose_name=_("party organisation"))
    kind = models.CharField(_("meeting kind"), max_length=12, choices=MeetingKind.choices)
    due_on = models.DateField(_("due by"))
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    objects = ReminderQuerySet.as_manager()

    class Meta:
        verbose_name = _("meeting reminder")
        verbose_name_plural = _("meeting reminders")
        constraints = [models.UniqueConstraint(fields=["organization", "kind", "due_on"],
                                               name="life_reminder_once")]

    def __str__(self):
        return f"{self.organization} {self.get_kind_display()} {self.due_on}"
