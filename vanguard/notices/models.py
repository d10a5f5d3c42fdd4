"""Notices: what the system tells a person or a unit (a warning after a failed
evaluation, a revocation, an overdue rectification, an appeal decided, a document
to sign...). One Notice row per notice; one Recipient row per account (or person)
it reaches, carrying the read status. Written by `services.notify` only."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from vanguard.core.roles import Role
from vanguard.core.scoping import ScopedQuerySet
from vanguard.org.models import Person, ServiceCentre


class Urgency(models.TextChoices):
    NORMAL = "normal", _("Normal")
    URGENT = "urgent", _("Urgent")


class Kind(models.TextChoices):
    """The kinds other apps write. `notify` accepts any short text; these get a label."""

    WARNING = "warning", _("Warning")
    REVOCATION = "revocation", _("Revocation")
    ESCALATION = "escalation", _("Overdue escalation")
    APPEAL = "appeal", _("Appeal decided")
    SIGN = "sign", _("Document to sign")
    MEETING = "meeting", _("Meeting due")
    OTHER = "other", _("Other")


class NoticeQuerySet(ScopedQuerySet):
    def scoped(self, scope, user):
        """The notices addressed to the user, and every notice of the centres they are the office of."""
        return self.filter(Q(centre__in=scope.centres(Role.OFFICE)) | Q(pk__in=Recipient.objects.filter(
            user_id=user.pk).values("notice_id")))


class Notice(models.Model):
    class RobotState(models.TextChoices):
        NONE = "", _("Not posted")
        PENDING = "pending", _("Waiting to be posted")
        SENT = "sent", _("Posted to the work groups")
        FAILED = "failed", _("Posting failed")

    centre = models.ForeignKey(ServiceCentre, null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                               verbose_name=_("service centre"))
    kind = models.CharField(_("kind"), max_length=20, default=Kind.OTHER)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    urgency = models.CharField(_("urgency"), max_length=6, choices=Urgency.choices, default=Urgency.NORMAL)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("sent by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    # SMS of an urgent notice: broadcasts of the messaging app (sent once, retried, failures shown there).
    broadcasts = models.JSONField(_("SMS broadcasts"), default=list, blank=True)
    robot_state = models.CharField(_("work-group robot"), max_length=8, choices=RobotState.choices, blank=True,
                                   default=RobotState.NONE)
    robot_attempts = models.PositiveSmallIntegerField(_("robot attempts"), default=0)
    robot_error = models.CharField(_("robot error"), max_length=300, blank=True)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["centre", "urgency", "-created_at"], name="notice_centre_urgency")]

    def __str__(self):
        return self.title

    @property
    def kind_label(self):
        return dict(Kind.choices).get(self.kind, self.kind)

    @property
    def is_urgent(self):
        return self.urgency == Urgency.URGENT


class RecipientQuerySet(ScopedQuerySet):
    def scoped(self, scope, user):
        return self.filter(Q(user_id=user.pk) | Q(notice__centre__in=scope.centres(Role.OFFICE)))

    def unread(self):
        return self.filter(read_at__isnull=True)


class Recipient(models.Model):
    """One account (or a person without one) a notice reaches, and whether it was read."""

    class Sms(models.TextChoices):
        NONE = "", _("No SMS")
        QUEUED = "queued", _("SMS queued")
        NO_MOBILE = "nomobile", _("No mobile number on record")

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="recipients",
                               verbose_name=_("notice"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="+", verbose_name=_("account"))
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                               verbose_name=_("person"))
    # Who it was addressed to, as the sender chose (a person, or the unit / branch / office it reached through).
    via = models.CharField(_("addressed to"), max_length=120, blank=True)
    sms = models.CharField(_("SMS"), max_length=8, choices=Sms.choices, blank=True, default=Sms.NONE)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = RecipientQuerySet.as_manager()

    class Meta:
        verbose_name = _("notice recipient")
        verbose_name_plural = _("notice recipients")
        ordering = ["-pk"]
        indexes = [models.Index(fields=["user", "read_at"], name="notice_rcpt_user_read")]
        constraints = [models.UniqueConstraint(fields=["notice", "user"], condition=Q(user__isnull=False),
                                               name="notice_rcpt_once_per_user"),
                       models.UniqueConstraint(fields=["notice", "person"], condition=Q(person__isnull=False),
                                               name="notice_rcpt_once_per_person")]

    def __str__(self):
        return f"{self.notice} → {self.via}"


class PreferenceQuerySet(ScopedQuerySet):
    def scoped(self, scope, user):
        return self.filter(user_id=user.pk)


class Preference(models.Model):
    """How a person wants urgent notices beyond the inbox. Normal notices stay in the inbox."""

    class Channel(models.TextChoices):
        SMS = "sms", _("SMS to my mobile")
        ROBOT = "robot", _("Work-group robot (DingTalk / WeCom)")
        INBOX = "inbox", _("Inbox only")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notice_preference",
                                verbose_name=_("account"))
    channel = models.CharField(_("urgent notices also by"), max_length=5, choices=Channel.choices,
                               default=Channel.SMS)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = PreferenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("notice preference")
        verbose_name_plural = _("notice preferences")

    def __str__(self):
        return f"{self.user} · {self.get_channel_display()}"
