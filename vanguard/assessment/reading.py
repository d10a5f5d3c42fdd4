"""What other apps may ask of the assessment (honours' evidence packs): stars and
months assessed in a year, and upheld appeals. Published, current results only."""

from django.db.models import Count, Q

from .models import Appeal, Period, Result

PUBLISHED = (Period.Status.PUBLICITY, Period.Status.FINAL)


def _year(qs, year):
    return qs.filter(period__month__year=year, is_current=True, period__status__in=PUBLISHED)


def person_year(person_id, year):
    """{"months": months with a published result, "stars": star months, "best_rank": best rank in centre}."""
    row = _year(Result.objects.filter(person_id=person_id), year).aggregate(
        months=Count("pk"), stars=Count("pk", filter=Q(is_star=True)))
    best = (_year(Result.objects.filter(person_id=person_id), year).exclude(rank_centre=None)
            .order_by("rank_centre").values_list("rank_centre", flat=True).first())
    return {"months": row["months"], "stars": row["stars"], "best_rank": best}


def branch_year(branch_id, year):
    """{"members": members assessed, "stars": star person-months, "stars_per_member"}."""
    row = _year(Result.objects.filter(branch_id=branch_id), year).aggregate(
        members=Count("person", distinct=True), stars=Count("pk", filter=Q(is_star=True)))
    per = round(row["stars"] / row["members"], 2) if row["members"] else None
    return {"members": row["members"], "stars": row["stars"], "stars_per_member": per}


def people_year(person_ids, year):
    """Stars of many people in one query: {person_id: stars}."""
    rows = (_year(Result.objects.filter(person_id__in=list(person_ids)), year).values("person_id")
            .annotate(stars=Count("pk", filter=Q(is_star=True))))
    return {r["person_id"]: r["stars"] for r in rows}


def upheld_appeals(person_id, year):
    return Appeal.objects.filter(person_id=person_id, period__month__year=year,
                                 status=Appeal.Status.UPHELD).count()
