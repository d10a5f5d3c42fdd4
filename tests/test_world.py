from vanguard.core.models import AuditEntry
from vanguard.org.models import Organization, Person


def test_world_builds_through_services_with_audit(world):
    assert world.branch1.path == f"{world.root.path}{world.branch1.pk}/"
    assert Organization.objects.get(pk=world.branch1.pk).depth == 1
    assert AuditEntry.objects.filter(model="org.person", action="create").count() == Person.objects.count()


def test_visible_people_by_role(world):
    def names(user):
        return set(Person.objects.visible_to(user).values_list("name", flat=True))

    centre_people = set(Person.objects.filter(centre=world.centre).values_list("name", flat=True))
    assert names(world.admin) == set(Person.objects.values_list("name", flat=True))
    assert names(world.office) == centre_people
    assert names(world.secretary) == {p.name for p in world.branch1_members}
    assert names(world.liaison) == {p.name for p in world.branch1_members} | {world.public_person.name}
    assert names(world.scorer) == {p.name for p in world.branch1_members} | {world.public_person.name}
    assert names(world.member) == {world.member_person.name}
    assert names(world.outsider) == {world.other_person.name}


def test_links_across_centres_are_refused(world):
    import pytest
    from django.core.exceptions import ValidationError

    from vanguard.org import services
    from vanguard.org.models import Window

    foreign_unit = world.other_person.unit
    with pytest.raises(ValidationError) as error:
        services.create_window(world.admin, world.centre, floor=world.floor1, number="Z99", unit=foreign_unit)
    assert "unit" in error.value.message_dict
    assert not Window.objects.filter(number="Z99").exists()
    with pytest.raises(ValidationError):
        services.update_organization(world.admin, world.branch1, guide=world.other_person)
    with pytest.raises(ValidationError):
        services.update_person(world.admin, world.member_person, unit=foreign_unit)
