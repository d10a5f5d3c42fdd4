"""What other apps may ask of evaluations: whether a post passed one. The posts app
asks this before a naming (surveys decides; posts never reads these tables itself)."""

from .models import Evaluation, PostResult


def passed_evaluations(post):
    """Closed evaluations the post passed, newest first."""
    return (Evaluation.objects.filter(status=Evaluation.Status.CLOSED, results__post=post,
                                      results__outcome=PostResult.Outcome.PASS)
            .order_by("-closed_on", "-pk"))


def passed(post, evaluation):
    """Did the post pass this (closed) evaluation? `evaluation` is an Evaluation or its pk."""
    pk = getattr(evaluation, "pk", evaluation)
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return False
    return passed_evaluations(post).filter(pk=pk).exists()


def evaluation_by_pk(pk):
    return Evaluation.objects.filter(pk=pk).first()
