"""The cases' audit steps are named by constants (audit.Event.CASE*) and each has a label."""

from vanguard.core.audit_events import Event
from vanguard.core.changes import VERBS


def test_every_case_event_has_a_label():
    names = [name for name in vars(Event) if name.startswith("CASE")]
    assert len(names) >= 16
    for name in names:
        assert getattr(Event, name) in VERBS, name
