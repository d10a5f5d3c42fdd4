"""Every menu entry a role is shown opens for that role: a link that answers 403 is a dead end."""

import pytest

from vanguard.core.navigation import items_for

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who", ["admin", "office", "secretary", "scorer", "liaison", "handler", "member"])
def test_each_menu_entry_opens_for_the_role_shown_it(world, client, who):
    user = getattr(world, who)
    client.force_login(user)
    refused = [item["url"] for item in items_for(user) if client.get(item["url"]).status_code != 200]
    assert not refused, f"{who}: {refused}"
