"""Reads shared by the honours pages, the API and the other rooms that show honours
(the posts' signboard shows the medals its window holds): boards, the roll, the
medals held, the history of a medal, the stories and honours of a person or team."""

from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from vanguard.org.models import Floor

from .models import ROLL_KINDS, Holding, Honour, Nomination, Selection, StoryLink


def roll_year(centre, year=None):
    """The year the roll shows by default: the latest with a roll honour, else this year."""
    if year:
        return year
    latest = (Honour.objects.filter(centre=centre, kind__in=ROLL_KINDS).order_by("-year")
              .values_list("year", flat=True).first())
    return latest or timezone.localdate().year


def current_medals(centre_id=None, *, scheme=None, floor_id=None, window_ids=None, branch_ids=None):
    qs = Holding.objects.filter(ended_on=None).select_related("medal", "medal__scheme", "window", "branch")
    if scheme is not None:
        qs = qs.filter(scheme=scheme)
    if centre_id is not None:
        qs = qs.filter(scheme__centre_id=centre_id)
    if floor_id is not None:
        qs = qs.filter(floor_id=floor_id)
    if window_ids is not None or branch_ids is not None:
        qs = qs.filter(Q(window_id__in=list(window_ids or ())) | Q(branch_id__in=list(branch_ids or ())))
    return list(qs.order_by("scheme__name", "medal__number"))


def board(centre, *, year=None, floor=None):
    """The vanguard roll of a year (red-flag branches, outstanding party workers,
    outstanding members), the year's other honours and the medals now held: of the
    centre, or of one floor. Two queries, whatever the numbers."""
    year = roll_year(centre, year)
    qs = Honour.objects.filter(centre=centre, year=year)
    if floor is not None:
        qs = qs.filter(floor=floor)
    honours = list(qs.only("kind", "name", "detail", "year", "floor_id", "candidate_kind").order_by("kind", "name"))
    roll = [{"kind": kind.value, "label": kind.label, "honours": [h for h in honours if h.kind == kind]}
            for kind in ROLL_KINDS]
    others = [h for h in honours if h.kind not in ROLL_KINDS]
    medals = current_medals(centre.pk, floor_id=floor.pk if floor is not None else None)
    return {"centre": centre, "floor": floor, "year": year, "roll": roll, "others": others, "medals": medals}


def public_floor(pk):
    return Floor.objects.select_related("centre").filter(pk=pk).first()


def post_medal_annotations():
    """Annotations for the signboard's own post query (no query more): the name of a rotating
    medal the post's window holds now, the reason it holds it, and how many it holds."""
    held = Holding.objects.filter(ended_on=None, window_id=OuterRef("window_id")).order_by("scheme__name", "pk")
    return {"medal_name": Subquery(held.values("scheme__name")[:1]),
            "medal_reason": Subquery(held.values("reason")[:1]),
            "medal_count": Coalesce(Subquery(held.order_by().values("window_id").annotate(n=Count("pk"))
                                             .values("n")[:1]), 0)}


def medals_for_post(post):
    """The medals on a post's signboard, from post_medal_annotations() (or one query without them)."""
    if not post.window_id:
        return []
    if hasattr(post, "medal_name"):
        if not post.medal_name:
            return []
        return [{"name": post.medal_name, "reason": post.medal_reason, "more": max(post.medal_count - 1, 0)}]
    held = list(Holding.objects.filter(ended_on=None, window_id=post.window_id).select_related("scheme")
                .order_by("scheme__name", "pk"))
    return [{"name": held[0].scheme.name, "reason": held[0].reason, "more": len(held) - 1}] if held else []


def medal_history(scheme, *, limit=None):
    qs = (Holding.objects.filter(scheme=scheme).select_related("medal", "window", "branch", "decided_by")
          .order_by("-period", "-started_on", "medal__number"))
    return list(qs[:limit] if limit else qs)


def public_notices(centre=None, today=None):
    """Selections now in public notice."""
    today = today or timezone.localdate()
    qs = Selection.objects.filter(status=Selection.Status.NOTICE, notice_starts__lte=today, notice_ends__gte=today)
    if centre is not None:
        qs = qs.filter(centre=centre)
    return qs


def notice_list(selection):
    """What the public notice shows: the names on the list and who nominated them (no personal data)."""
    return list(selection.nominations.filter(state__in=[Nomination.State.APPROVED, Nomination.State.AWARDED])
                .only("pk", "name", "nominated_by", "reasons", "selection_id").order_by("name"))


def stories_of(*, person=None, team=None):
    qs = StoryLink.objects.select_related("lesson", "lesson__column")
    qs = qs.filter(person=person) if person is not None else qs.filter(team=team)
    return [link.lesson for link in qs.order_by("-lesson__send_at")]


def honours_of(*, person=None, team=None):
    qs = Honour.objects.filter(person=person) if person is not None else Honour.objects.filter(team=team)
    return list(qs.order_by("-year", "kind"))


def column_subjects(column):
    """A story column's exemplars told apart: (teams, people), each with its stories."""
    links = list(StoryLink.objects.filter(lesson__column=column).select_related("team", "person", "lesson")
                 .order_by("lesson__title"))
    teams, people = {}, {}
    for link in links:
        bucket, subject = (teams, link.team) if link.team_id else (people, link.person)
        bucket.setdefault(subject.pk, {"subject": subject, "stories": []})["stories"].append(link.lesson)
    return list(teams.values()), list(people.values())


def archive(user, year):
    """The selections and honours of a year the user may see."""
    selections = Selection.objects.visible_to(user).filter(year=year).order_by("honour", "pk")
    honours = Honour.objects.visible_to(user).filter(year=year).order_by("kind", "name")
    return selections, honours


def open_for_nomination(user, today=None):
    today = today or timezone.localdate()
    return Selection.objects.visible_to(user).filter(status=Selection.Status.NOMINATING,
                                                     nominate_until__gte=today)

