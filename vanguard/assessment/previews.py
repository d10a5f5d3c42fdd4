"""What an irreversible step of the month would do, before it is done: who has no
score in a part (and who is responsible for it), and how many results, stars,
notices and appeals a step touches. Read-only; the confirmation pages, the API
and the command show these, and the services refuse an unconfirmed step."""

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from vanguard.core.models import Grant
from vanguard.core.roles import Role
from vanguard.org.models import Unit

from . import compute
from .models import Appeal, Cell, Part, Result
from .permissions import assessed_people

LIST_LIMIT = 500


def _part_ids(period):
    ids = {Part.PARTY: [], Part.WORK: []}
    for pk, part in period.scheme.indicators.values_list("pk", "part"):
        ids[part].append(pk)
    return ids


def unscored_people(period):
    """Assessed members with no cell scored in a part, one query: the annotations say which part."""
    ids = _part_ids(period)
    scored = {part: Exists(Cell.objects.filter(period=period, person=OuterRef("pk"), indicator_id__in=ids[part]))
              for part in (Part.PARTY, Part.WORK)}
    return (assessed_people(period.centre_id)
            .annotate(party_scored=scored[Part.PARTY], work_scored=scored[Part.WORK])
            .filter(Q(party_scored=False) | Q(work_scored=False)))


def _responsible(period):
    """Names of the secretaries by branch path and of the scorers by department, one query."""
    secretaries, scorers = [], {}
    grants = (Grant.objects.filter(Q(role=Role.SECRETARY, organization__centre_id=period.centre_id) |
                                   Q(role=Role.SCORER, unit__centre_id=period.centre_id))
              .select_related("organization", "user__person").order_by("pk"))
    for grant in grants:
        person = getattr(grant.user, "person", None)
        name = person.name if person is not None else grant.user.username
        if grant.role == Role.SECRETARY:
            secretaries.append((grant.organization.path, name))
        else:
            scorers.setdefault(grant.unit_id, []).append(name)
    return secretaries, scorers


def unscored(period, limit=LIST_LIMIT):
    """{"count": members, "lines": [{person, part, part_label, scope, scorers}], "by_part": {part: n}}:
    who has no score in which part and who scores it (the branch and its secretaries, the
    supervising department and its scorers)."""
    people = list(unscored_people(period).select_related("branch", "window__department")
                  .order_by("branch__path", "name", "pk")[:limit + 1])
    secretaries, scorers = _responsible(period)
    lines, by_part = [], {Part.PARTY: 0, Part.WORK: 0}
    for person in people[:limit]:
        for part, scored in ((Part.PARTY, person.party_scored), (Part.WORK, person.work_scored)):
            if scored:
                continue
            by_part[part] += 1
            if part == Part.PARTY:
                scope = person.branch.name
                names = [n for path, n in secretaries if person.branch.path.startswith(path)]
            else:
                department = person.window.department if person.window_id else None
                scope = department.name if department else _("no supervising department")
                names = scorers.get(department.pk, []) if department else []
            lines.append({"person": person, "part": part, "part_label": Part(part).label, "scope": scope,
                          "scorers": "、".join(names) or _("the office")})
    count = len(people) if len(people) <= limit else unscored_people(period).count()
    return {"count": count, "lines": lines, "by_part": by_part, "truncated": len(people) > limit}


def unscored_summary(period, counts=None):
    """Counts only, for the audit row and the refusal message: {party: n, work: n, members: n}.
    `counts`: (members, party, work) when already known (publication's compute.computed_unscored)."""
    members, party, work = counts or compute.unscored_counts(period)
    return {"members": members, Part.PARTY.value: party, Part.WORK.value: work}


def preview_publish(period):
    """What publishing would store: results, stars, members not assessed, notices per home unit."""
    rows = compute.compute_rows(period)
    units = {r["unit_id"] for r in rows.values() if r["unit_id"]}
    return {
        "results": len(rows), "stars": sum(1 for r in rows.values() if r["is_star"]),
        "unassessed": sum(1 for r in rows.values() if r["total"] is None),
        "notices": Unit.objects.filter(pk__in=units).count(),
        "unscored": unscored(period),
    }


def preview(period, step):
    """The figures a confirmation page states for `step` (close, publish, finalise)."""
    if step == "close":
        return {"unscored": unscored(period)}
    if step == "publish":
        return preview_publish(period)
    if step == "finalise":
        current = Result.objects.filter(period=period, is_current=True)
        return {"results": current.count(), "stars": current.filter(is_star=True).count(),
                "open_appeals": Appeal.objects.filter(period=period, status=Appeal.Status.OPEN).count()}
    if step == "start":
        return {"people": assessed_people(period.centre_id).count()}
    return {}


def preview_appeal(appeal, uphold, points):
    """What deciding an appeal does to the member's sheet: the indicator's points now and after."""
    current = Result.objects.filter(period=appeal.period, person=appeal.person, is_current=True).first()
    score = None
    if appeal.indicator_id:
        score = Cell.objects.filter(period=appeal.period, person=appeal.person,
                                     indicator_id=appeal.indicator_id).first()
    return {"uphold": uphold, "points": points, "result": current,
            "before": score.points if score else (appeal.indicator.default_points if appeal.indicator else None),
            "corrects": bool(uphold and appeal.indicator_id and points)}
