"""The evidence pack of a nomination, filled from the data the system already has,
read through the other apps' read functions (never their tables): assessment
results and stars, satisfaction and bad-review rates, upheld appeals, and, when
those rooms are installed, cases, pledges kept, meetings, activities and hours.
Also the figures shown beside each of a red-flag branch's four standards."""

import datetime

from django.utils.translation import gettext as _

from vanguard.assessment import reading as assessment
from vanguard.org.models import CommitteeMember, Person
from vanguard.ratings import figures


def satisfaction(dimension, key, year, centre_id):
    year_figures = figures.figures_for(dimension, key, year, centre_id=centre_id)["year"]
    total = year_figures["total"]
    bad_rate = round(year_figures["bad"] * 100 / total, 2) if total else None
    return {"ratings": total, "rate": None if year_figures["rate"] is None else float(year_figures["rate"]),
            "bad": year_figures["bad"], "bad_rate": bad_rate}


def _year_range(year):
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def life_of_people(centre_id, person_ids, year):
    """Organisational life of some people in a year, from life's read functions (one query each
    for the whole centre): meetings expected and attended, activities and hours."""
    from vanguard.life import selectors as life

    first, last = _year_range(year)
    attendance = life.attendance_by_person(centre_id, first, last)
    activity = life.activity_by_person(centre_id, first, last)
    ids = set(person_ids)
    expected = sum(attendance[p]["expected"] for p in ids if p in attendance)
    present = sum(attendance[p]["present"] for p in ids if p in attendance)
    return {"meetings_expected": expected, "meetings_present": present,
            "attendance_rate": round(present * 100 / expected, 2) if expected else None,
            "activities": sum(activity[p]["times"] for p in ids if p in activity),
            "hours": float(sum((activity[p]["hours"] for p in ids if p in activity), 0))}


CASE_LOOKUPS = {"person": "person_id", "window": "window_id", "post": "post_id", "unit": "unit_id",
                "branch": "person__branch_id"}


def cases_of(kind, key, year):
    """The public's cases about the candidate this year, through cases' figures: complaints,
    those upheld, praise, the on-time rate. None when cases are not about that kind."""
    lookup = CASE_LOOKUPS.get(kind)
    if lookup is None:
        return None
    from vanguard.cases import selectors as cases
    from vanguard.cases.models import Case

    row = cases.figures(Case.objects.filter(**{lookup: key}, received_on__year=year))
    return {"total": row["total"], "complaints": row["complaints"], "upheld": row["upheld"], "praise": row["praise"],
            "on_time_rate": row["on_time_rate"]}


def pledges_of(kind, key, year):
    """Pledges made and kept this year by a branch's or a unit's members, through pledges' figures."""
    if kind not in ("branch", "unit"):
        return None
    from vanguard.pledges import selectors as pledges
    from vanguard.pledges.models import PledgeStat

    total, _rows = pledges.figures(PledgeStat.objects.filter(**{f"{kind}_id": key}), year)
    return {"made": total["made"], "kept": total["kept"], "judged": total["judged"],
            "rate": None if total["rate"] is None else float(total["rate"])}


def _others(kind, key, year):
    """Cases and pledges of the candidate (the rooms beside this one, through their read functions)."""
    out = {}
    for name, func in (("cases", cases_of), ("pledges", pledges_of)):
        value = func(kind, key, year)
        if value is not None:
            out[name] = value
    return out


def pack(selection, kind, candidate):
    """JSON-safe figures for one candidate of a selection's year."""
    year, centre_id = selection.year, selection.centre_id
    data = {"year": year}
    if kind == "person":
        data["life"] = life_of_people(centre_id, [candidate.pk], year)
        data["assessment"] = assessment.person_year(candidate.pk, year)
        data["appeals_upheld"] = assessment.upheld_appeals(candidate.pk, year)
        data["satisfaction"] = satisfaction("person", candidate.pk, year, centre_id)
    elif kind == "branch":
        members = list(Person.objects.filter(branch=candidate, is_active=True).values_list("pk", flat=True))
        data["life"] = life_of_people(centre_id, members, year)
        data["assessment"] = assessment.branch_year(candidate.pk, year)
        data["satisfaction"] = satisfaction("branch", candidate.pk, year, centre_id)
    elif kind in ("window", "post", "unit"):
        data["satisfaction"] = satisfaction(kind, candidate.pk, year, centre_id)
    elif kind == "team":
        ids = list(candidate.members.values_list("pk", flat=True))
        data["life"] = life_of_people(centre_id, ids, year)
        stars = assessment.people_year(ids, year)
        data["assessment"] = {"members": len(ids), "stars": sum(stars.values())}
        if candidate.unit_id:
            data["satisfaction"] = satisfaction("unit", candidate.unit_id, year, centre_id)
    elif kind == "brand":
        data["satisfaction"] = satisfaction("unit", candidate.unit_id, year, centre_id)
    data.update(_others(kind, candidate.pk, year))
    return data


def standards_figures(branch, year):
    """The figures shown beside each of the four standards of a red-flag branch."""
    seats = list(CommitteeMember.objects.filter(organization=branch).values_list("role", flat=True))
    members = Person.objects.filter(branch=branch, is_active=True)
    full = members.filter(political_status=Person.Status.FULL).count()
    probationary = members.filter(political_status=Person.Status.PROBATIONARY).count()
    stars = assessment.branch_year(branch.pk, year)
    sat = satisfaction("branch", branch.pk, year, branch.centre_id)
    life = life_of_people(branch.centre_id, members.values_list("pk", flat=True), year)
    cases = cases_of("branch", branch.pk, year)
    pledges = pledges_of("branch", branch.pk, year)
    rows = {
        "mechanism": [(_("Meetings attended / expected"), f"{life['meetings_present']}/{life['meetings_expected']}"),
                      (_("Attendance rate"), f"{life['attendance_rate']}%" if life["attendance_rate"] is not None
                       else "—")],
        "committee": [(_("Committee seats"), len(seats)),
                      (_("Secretary in place"), _("yes") if CommitteeMember.Role.SECRETARY in seats else _("no")),
                      (_("Party-building guide"), _("yes") if branch.guide_id else _("no"))],
        "team": [(_("Full members"), full), (_("Probationary members"), probationary),
                 (_("Stars per member"), stars["stars_per_member"] if stars["stars_per_member"] is not None
                  else "—")],
        "role": [(_("Satisfaction rate"), f"{sat['rate']}%" if sat["rate"] is not None else "—"),
                 (_("Ratings"), sat["ratings"]), (_("Bad reviews"), sat["bad"]),
                 (_("Activities and hours"), f"{life['activities']} / {life['hours']}")],
    }
    rows["role"].append((_("Complaints (upheld)"), f"{cases['complaints']} ({cases['upheld']})"))
    rows["role"].append((_("Pledges kept / judged"), f"{pledges['kept']}/{pledges['judged']}"))
    return {key: [[str(label), value if isinstance(value, int | float) else str(value)] for label, value in items]
            for key, items in rows.items()}
