import pytest
from rest_framework.test import APIClient


@pytest.fixture
def api(world):
    """api(user) -> an APIClient authenticated as that user (None: anonymous)."""

    def _api(user=None):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user=user)
        return client

    return _api
