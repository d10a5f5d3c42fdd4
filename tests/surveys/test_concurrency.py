"""Two submissions of one code at the same moment: exactly one is stored."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from vanguard.surveys import services
from vanguard.surveys.models import AnswerSheet, Invitation

from .conftest import answer_all  # noqa: F401


@pytest.mark.django_db(transaction=True)
def test_code_used_twice_at_the_same_moment(world, evaluation):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises all writers, so there is no real race to test; run on PostgreSQL.")
    invitation = services.issue_invitations(world.office, evaluation, group=evaluation.groups.first(), count=1)[0]
    posts, scale, _texts = services.form_for(evaluation)
    scores = {(p.pk, q.pk): 5 for p in posts for q in scale}
    barrier = threading.Barrier(2)
    outcomes = []

    def submit():
        try:
            barrier.wait()
            services.submit_answers(invitation.code, scores=scores)
            outcomes.append("ok")
        except ValidationError as e:
            outcomes.append(e.messages[0])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes, key=lambda o: o != "ok")[0] == "ok"
    assert outcomes.count("ok") == 1, outcomes
    assert AnswerSheet.objects.count() == 1
    assert Invitation.objects.get(pk=invitation.pk).used
