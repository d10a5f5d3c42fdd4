"""Tables of organisational life's lists. Rows come with their related objects joined,
so a page costs the same few queries whatever its size."""

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import Activity, ActivityParticipant, Attendance, Meeting

TABLE_ATTRS = {"class": "table table-sm table-hover align-middle mb-0"}


class MeetingTable(tables.Table):
    date = tables.Column(verbose_name=_("date"), order_by=("starts_at",))
    kind = tables.Column(verbose_name=_("meeting kind"))
    topic = tables.Column(linkify=("life:meeting-detail", {"pk": tables.A("pk")}), verbose_name=_("topic"))
    organization = tables.Column(verbose_name=_("party organisation"), order_by=("organization__path",))
    place = tables.Column(verbose_name=_("place"))
    status = tables.Column(verbose_name=_("status"))

    class Meta:
        model = Meeting
        fields = ["date", "kind", "topic", "organization", "place", "status"]
        attrs = TABLE_ATTRS
        empty_text = _("No meetings match.")
        order_by = ("-date",)

    def render_status(self, record):
        css = "text-bg-success" if record.is_held else "text-bg-warning"
        return format_html('<span class="badge {}">{}</span>', css, record.get_status_display())


class AttendanceRowTable(tables.Table):
    date = tables.Column(accessor="meeting__date", verbose_name=_("date"))
    kind = tables.Column(accessor="meeting__kind", verbose_name=_("meeting kind"))
    meeting = tables.Column(accessor="meeting__topic", verbose_name=_("topic"),
                            linkify=("life:meeting-detail", {"pk": tables.A("meeting_id")}))
    organization = tables.Column(accessor="meeting__organization__name", verbose_name=_("party organisation"))
    person = tables.Column(accessor="person__name", verbose_name=_("person"))
    status = tables.Column(verbose_name=_("attendance"))
    leave_reason = tables.Column(verbose_name=_("reason for leave"))
    makeup_on = tables.Column(verbose_name=_("make-up study on"))

    class Meta:
        model = Attendance
        fields = ["date", "kind", "meeting", "organization", "person", "status", "leave_reason", "makeup_on"]
        attrs = TABLE_ATTRS
        empty_text = _("No attendance records match.")
        orderable = False

    def render_kind(self, record):
        return record.meeting.get_kind_display()


class ActivityRowTable(tables.Table):
    date = tables.Column(accessor="activity__date", verbose_name=_("date"))
    kind = tables.Column(accessor="activity__kind__name", verbose_name=_("activity kind"))
    person = tables.Column(accessor="person__name", verbose_name=_("person"))
    organization = tables.Column(accessor="activity__organization__name", verbose_name=_("party organisation"))
    hours = tables.Column(accessor="activity__hours", verbose_name=_("hours"), attrs={"td": {"class": "text-end"}})
    description = tables.Column(accessor="activity__description", verbose_name=_("activity content"),
                                linkify=("life:activity-detail", {"pk": tables.A("activity_id")}))
    place = tables.Column(accessor="activity__place", verbose_name=_("place"))

    class Meta:
        model = ActivityParticipant
        fields = ["date", "kind", "person", "organization", "hours", "description", "place"]
        attrs = TABLE_ATTRS
        empty_text = _("No activity records match.")
        orderable = False


class ActivityTable(tables.Table):
    date = tables.Column(verbose_name=_("date"))
    kind = tables.Column(accessor="kind__name", verbose_name=_("activity kind"))
    description = tables.Column(verbose_name=_("activity content"),
                                linkify=("life:activity-detail", {"pk": tables.A("pk")}))
    organization = tables.Column(accessor="organization__name", verbose_name=_("party organisation"))
    hours = tables.Column(verbose_name=_("hours"), attrs={"td": {"class": "text-end"}})
    people = tables.Column(verbose_name=_("people"), orderable=False, attrs={"td": {"class": "text-end"}})
    status = tables.Column(verbose_name=_("status"))

    class Meta:
        model = Activity
        fields = ["date", "kind", "description", "organization", "hours", "people", "status"]
        attrs = TABLE_ATTRS
        empty_text = _("No activities match.")
        order_by = ("-date",)
