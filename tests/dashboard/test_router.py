"""The replica router's decisions (against a real streaming replica: test_replica_streaming.py)."""

from vanguard.dashboard import router
from vanguard.dashboard.models import Figure


def test_without_a_replica_everything_reads_the_primary(settings):
    settings.DATABASES = {k: v for k, v in settings.DATABASES.items() if k != "replica"}
    r = router.ReplicaRouter()
    with router.replica_reads():
        assert r.db_for_read(Figure) is None and router.read_alias() == "default"


def test_with_a_replica_only_figures_reads_go_there(settings):
    settings.DATABASES = {**settings.DATABASES, "replica": {**settings.DATABASES["default"]}}
    r = router.ReplicaRouter()
    assert r.db_for_read(Figure) is None
    with router.replica_reads():
        assert r.db_for_read(Figure) == "replica"
        assert r.db_for_write(Figure) == "default"
    assert r.db_for_read(Figure) is None
    assert r.allow_migrate("replica", "dashboard") is False and r.allow_migrate("default", "dashboard") is True


def test_inside_a_write_transaction_reads_stay_on_the_primary(settings, monkeypatch):
    """A service that writes (the report's audit row reads the chain's last hash) reads the primary."""
    from django.db import connections

    settings.DATABASES = {**settings.DATABASES, "replica": {**settings.DATABASES["default"]}}
    r = router.ReplicaRouter()
    with router.replica_reads():
        assert r.db_for_read(Figure) == "replica"
        monkeypatch.setattr(connections["default"], "in_atomic_block", True)
        assert r.db_for_read(Figure) is None and router.read_alias() == "default"
