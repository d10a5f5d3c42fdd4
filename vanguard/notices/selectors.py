"""Reads of notices shared by pages and the API."""

from django.db.models import Count, Q

from .models import Notice, Recipient, Urgency


def unread_count(user):
    return Recipient.objects.filter(user_id=user.pk, read_at__isnull=True).count()


def inbox(user, *, unread_only=False):
    qs = Recipient.objects.filter(user_id=user.pk).select_related("notice")
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-pk")


def urgent_for_office(user):
    """Urgent notices of the centres the user is the office of, with read counts (one query)."""
    return (Notice.objects.visible_to(user).filter(urgency=Urgency.URGENT)
            .exclude(centre__isnull=True)
            .annotate(total=Count("recipients"), unread=Count("recipients", filter=Q(recipients__read_at__isnull=True)))
            .order_by("-created_at", "-pk"))


def not_read(notice):
    return (Recipient.objects.filter(notice=notice, read_at__isnull=True)
            .select_related("user", "person").order_by("via", "pk"))
