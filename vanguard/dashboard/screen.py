"""The hall's big screen: its signed URL and what it shows.

A screen's URL carries `signing.dumps([screen id, nonce])` (signed with the secret key,
salted): a forged or altered token fails the signature; a revoked screen, or a URL issued
before the screen's latest nonce, is refused too (404 either way). What it shows is public:
counts, the month's star members' names and branches (as the honour boards show them),
named posts' names, the week's lesson title. No phone numbers, no ids of people."""

import datetime

from django.core import signing
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from .metrics import local_start, ratio
from .models import Screen

SALT = "vanguard.dashboard.screen"


def token_of(screen):
    return signing.dumps([screen.pk, screen.nonce], salt=SALT, compress=False)


def url_of(screen):
    return reverse("dashboard:big-screen", args=[token_of(screen)])


def data_url_of(screen):
    return reverse("dashboard:big-screen-data", args=[token_of(screen)])


def screen_for(token):
    if not token or len(token) > 200:
        raise signing.BadSignature("no token")
    pk, nonce = signing.loads(token, salt=SALT)
    item = Screen.objects.select_related("centre").get(pk=int(pk))
    if item.revoked_at is not None or item.nonce != nonce:
        raise Screen.DoesNotExist
    return item


def payload(centre, now=None):
    """Today's matters and satisfaction, the month's star board, named posts, the week's lesson."""
    from vanguard.assessment.models import Period, Result
    from vanguard.messaging.models import Lesson
    from vanguard.posts.models import VanguardPost
    from vanguard.ratings.figures import freshness, summarise
    from vanguard.ratings.models import SatisfactionStat, Transaction

    now = now or timezone.now()
    today = timezone.localdate(now)
    start = local_start(today)
    txn = Transaction.objects.filter(centre=centre, accepted_at__gte=start,
                                     accepted_at__lt=start + datetime.timedelta(days=1)).aggregate(
        accepted=Count("pk"), completed=Count("pk", filter=Q(completed_at__isnull=False)))
    # Today's ratings from the ratings app's own running day figures (one indexed row).
    stat = SatisfactionStat.objects.filter(dimension=SatisfactionStat.Dimension.CENTRE, key=centre.pk,
                                           period=SatisfactionStat.Period.DAY, start=today).first()
    counts = summarise(stat) if stat is not None else summarise({})
    rated = {"rated": counts["total"], "bad": counts["bad"], "satisfied": counts["n5"] + counts["n4"] + counts["n3"]}
    period = (Period.objects.filter(centre=centre, status__in=[Period.Status.PUBLICITY, Period.Status.FINAL])
              .order_by("-month").first())
    stars = []
    if period is not None:
        stars = [{"name": name, "branch": branch} for name, branch in Result.objects.filter(
            period=period, is_current=True, is_star=True).order_by("star_place", "person__name")
            .values_list("person__name", "branch__name")[:40]]
    posts = VanguardPost.objects.filter(centre=centre, status=VanguardPost.Status.NAMED)
    lesson = (Lesson.objects.filter(centre=centre, status=Lesson.Status.SENT, send_at__lte=now,
                                    send_at__gte=now - datetime.timedelta(days=7)).order_by("-send_at")
              .values_list("title", flat=True).first())
    from vanguard.honours.selectors import board

    honours = board(centre)
    roll = [f"{entry['label']}：{'、'.join(h.name for h in entry['honours'][:12])}"
            for entry in honours["roll"] if entry["honours"]]
    medals = [f"{h.medal}：{h.window or h.branch or ''}" for h in honours["medals"][:12]]
    return {
        "roll_year": honours["year"], "roll": roll, "medals": medals,
        "centre": centre.name,
        "now": timezone.localtime(now).strftime("%Y-%m-%d %H:%M"),
        "today": {"accepted": txn["accepted"], "completed": txn["completed"], "rated": rated["rated"],
                  "bad": rated["bad"], "satisfaction": ratio(rated["satisfied"], rated["rated"]),
                  # The ratings not counted yet (folded every minute): the screen says so under its figures.
                  "freshness": freshness("centre", centre.pk)["note"]},
        "stars_month": f"{period.month:%Y年%-m月}" if period else "",
        "stars": stars,
        "posts_named": posts.count(),
        "posts": list(posts.order_by("name").values_list("name", flat=True)[:24]),
        "lesson": lesson or "",
    }
