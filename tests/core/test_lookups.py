"""Scoped lookups fail closed (issue 11, point 3), and "is the office of this
centre" is one function every app asks."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.test import RequestFactory

from vanguard.assessment.permissions import can_manage
from vanguard.core import lookups
from vanguard.core.models import CalendarOverride
from vanguard.core.permissions import is_office_of, office_centre, office_centres
from vanguard.messaging.services import is_office as messaging_is_office
from vanguard.org.models import Person
from vanguard.org.permissions import can_edit_reference
from vanguard.org.views.common import visible_or_404 as org_visible_or_404
from vanguard.posts.permissions import can_manage_posts
from vanguard.ratings.permissions import is_office as ratings_is_office


def _request(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


@pytest.mark.django_db
def test_a_model_without_scoping_finds_nothing_even_for_an_administrator(world):
    override = CalendarOverride.objects.create(date=datetime.date(2026, 10, 10), kind="holiday")
    with pytest.raises(Http404):
        lookups.visible_or_404(world.admin, CalendarOverride, override.pk)
    # The organisation's pages' helper used to fall back to an unscoped query here.
    with pytest.raises(Http404):
        org_visible_or_404(_request(world.admin), CalendarOverride, override.pk)


@pytest.mark.django_db
def test_scoped_lookup_owner_member_outsider(world):
    pk = world.member_person.pk
    assert lookups.visible_or_404(world.office, Person, pk) == world.member_person
    assert lookups.visible_or_404(world.member, Person, pk) == world.member_person
    with pytest.raises(Http404):
        lookups.visible_or_404(world.outsider, Person, pk)
    for bad in ("abc", "1.5", None, 10**30):
        with pytest.raises(Http404):
            lookups.visible_or_404(world.office, Person, bad)


@pytest.mark.django_db
def test_every_app_asks_the_same_office_question(world):
    centre = world.centre.pk
    for user, expected in ((world.office, True), (world.admin, True), (world.outsider, False),
                           (world.secretary, False), (world.member, False)):
        answers = {f(user, centre) for f in (is_office_of, can_manage, can_manage_posts, messaging_is_office,
                                              ratings_is_office, can_edit_reference)}
        assert answers == {expected}, user
    assert not is_office_of(world.office, None)


@pytest.mark.django_db
def test_which_centre_a_user_is_the_office_of_is_one_answer(world):
    """cases, honours, pledges, surveys, messaging, ratings, posts and assessment ask `office_centre`."""
    from vanguard.messaging.views import office_centres as messaging_centres
    from vanguard.posts.permissions import manageable_centres
    from vanguard.ratings.permissions import office_centres as ratings_centres

    centre, other = world.centre, world.other_centre
    assert office_centre(world.office) == centre
    assert list(office_centres(world.office)) == [centre]
    assert set(office_centres(world.admin)) == {centre, other}
    for f in (ratings_centres, manageable_centres, messaging_centres):
        assert list(f(world.office)) == [centre] and list(f(world.outsider)) == [other]
        assert not list(f(world.secretary))
    # The one wanted, by id (int or text) or code; a foreign or malformed one is none.
    assert office_centre(world.office, centre.pk) == centre
    assert office_centre(world.office, str(centre.pk)) == centre
    assert office_centre(world.admin, other.code, by="code") == other
    for wanted in (other.pk, "abc", "9" * 20):
        assert office_centre(world.office, wanted, required=False) is None
    # Not the office: None when not required, else 403 with the caller's reason.
    assert office_centre(world.secretary, required=False) is None
    with pytest.raises(PermissionDenied, match="honours"):
        office_centre(world.member, message="no honours")
    # Several: the first by id, or the caller asks to choose.
    assert office_centre(world.admin) == min((centre, other), key=lambda c: c.pk)
    with pytest.raises(ValidationError) as e:
        office_centre(world.admin, several="choose")
    assert e.value.message_dict == {"centre": ["choose"]}
    assert office_centre(world.admin, other.pk, several="choose") == other
