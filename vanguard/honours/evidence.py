"""The evidence pack of a nomination, filled from the data the system already has,
read through the other apps' read functions (never their tables): assessment
results and stars, satisfaction and bad-review rates, upheld appeals, and, when
those rooms are installed, cases, pledges kept, meetings, activities and hours.
Also the figures shown beside each of a red-flag branch's four standards."""

import datetime
import importlib

from django.utils.translation import gettext as _

from vanguard.assessment import reading as assessment
from vanguard.org.models import CommitteeMember, Person
from vanguard.ratings import figures


def _optional(module, name, *args, **kwargs):
    """A read function of a room that may not be installed yet (cases, pledges, life): None if absent."""
    try:
        mod = importlib.import_module(f"vanguard.{module}")
    except ImportError:
        return None
    func = getattr(mod, name, None)
    if func is None:
        return None
    try:
        return func(*args, **kwargs)
    except Exception:  # noqa: BLE001 -- another room's figure must never break a nomination
        return None


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


def _others(kind, key, year):
    """Figures of the rooms built beside this one, when they provide a read function for them."""
    out = {}
    for name, module, func in (("cases", "cases.selectors", "evidence_figures"),
                               ("pledges", "pledges.selectors", "evidence_figures")):
        value = _optional(module, func, kind, key, year)
        if value:
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
    cases = _optional("cases.selectors", "evidence_figures", "branch", branch.pk, year)
    pledges = _optional("pledges.selectors", "evidence_figures", "branch", branch.pk, year)
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
    if cases:
        rows["role"].append((_("Feedback cases"), cases))
    if pledges:
        rows["role"].append((_("Pledges kept"), pledges))
    return {key: [[str(label), value if isinstance(value, int | float) else str(value)] for label, value in items]
            for key, items in rows.items()}
