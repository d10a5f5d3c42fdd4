"""Who may write posts. Reading is `visible_to`; only the centre's party-building
office (or an administrator) creates, edits, discloses, names and revokes."""

from vanguard.core.permissions import is_office_of, office_centres


def can_manage_posts(user, centre_id):
    return is_office_of(user, centre_id)


# The centres whose posts the user manages: those it is the office of.
manageable_centres = office_centres
