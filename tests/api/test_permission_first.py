"""Permission before validation (issue 11, point 3): a role that may never write to
an endpoint is refused with 403 before any field is checked, so it learns nothing
about the fields; an object outside the user's scope is a 404."""

import pytest

from .helpers import has_chinese

# Endpoints and the roles of the world that may never write to them.
NEVER_WRITERS = {
    "/api/v1/posts/": ["secretary", "scorer", "liaison", "handler", "member"],
    "/api/v1/projects/": ["secretary", "scorer", "liaison", "handler", "member"],
    "/api/v1/floors/": ["secretary", "scorer", "liaison", "handler", "member"],
    "/api/v1/units/": ["secretary", "scorer", "liaison", "handler", "member"],
    "/api/v1/windows/": ["secretary", "scorer", "liaison", "handler", "member"],
    "/api/v1/organizations/": ["secretary", "scorer", "liaison", "handler", "member"],
    "/api/v1/people/": ["scorer", "liaison", "handler", "member"],
    "/api/v1/lessons/": ["secretary", "scorer", "liaison", "handler", "member"],
    "/api/v1/evaluations/": ["secretary", "scorer", "liaison", "handler", "member"],
}


@pytest.mark.django_db
@pytest.mark.parametrize("url", sorted(NEVER_WRITERS))
def test_a_role_that_never_writes_gets_403_before_validation(world, api, url):
    for role in NEVER_WRITERS[url]:
        response = api(getattr(world, role)).post(url, {}, format="json")
        assert response.status_code == 403, (url, role, response.content)
        body = response.json()
        assert set(body) == {"detail"}, body  # no field names
        assert has_chinese(body["detail"])


@pytest.mark.django_db
def test_a_member_posting_a_post_is_not_told_the_fields(world, api):
    response = api(world.member).post("/api/v1/posts/", {}, format="json")
    assert response.status_code == 403
    assert "name" not in response.json()


@pytest.mark.django_db
def test_the_office_still_gets_field_errors(world, api):
    response = api(world.office).post("/api/v1/posts/", {}, format="json")
    assert response.status_code == 400
    assert "name" in response.json()


@pytest.mark.django_db
def test_a_member_may_still_sign_a_circular_route_is_open(world, api):
    # `sign` is open to any reader: refused by the service (404/403 for a circular not sent), not by role.
    response = api(world.member).post("/api/v1/circulars/999999/sign/", {}, format="json")
    assert response.status_code == 404


@pytest.mark.django_db
def test_on_one_object_scope_comes_first_then_the_role(world, api):
    floor = world.floor1.pk
    # A member sees the floor but may never change it: 403, and no field is named.
    response = api(world.member).patch(f"/api/v1/floors/{floor}/", {"number": "x"}, format="json")
    assert response.status_code == 403 and set(response.json()) == {"detail"}
    # The outsider cannot see it: 404, as for an id that does not exist.
    assert api(world.outsider).patch(f"/api/v1/floors/{floor}/", {"number": "x"}, format="json").status_code == 404


@pytest.mark.django_db
def test_out_of_scope_and_malformed_ids_are_404(world, api):
    client = api(world.outsider)
    assert client.get(f"/api/v1/people/{world.member_person.pk}/").status_code == 404
    assert client.patch(f"/api/v1/people/{world.member_person.pk}/", {"job": "x"}, format="json").status_code == 404
