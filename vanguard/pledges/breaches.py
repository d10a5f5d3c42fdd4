"""Posts' pledges: the four on a signboard, each with its evidence of breaches - a bad
review rectified for a reason naming a pledge (the ratings rectification) and a complaint
upheld (the cases room: the unit's answer that upholds a complaint about a post names the
pledge it broke, or says explicitly that it broke none)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vanguard.core import audit
from vanguard.core.system import actor_name

from .common import _text, _user
from .models import PostPledge, PostPledgeBreach


@transaction.atomic
def record_post_pledge_breach(actor, post, pledge_code, source, reason, ref=""):
    """A post's signboard pledge found broken (a complaint upheld, a bad review rectified for
    that reason): recorded against the pledge and in the post's history. Called by the
    ratings rectification and the cases app; the same source and reference count once."""
    from vanguard.posts.models import PostEvent

    if pledge_code not in PostPledge.values:
        raise ValidationError({"pledge": _("Name one of the post's four pledges.")})
    if source not in PostPledgeBreach.Source.values:
        raise ValidationError({"source": _("Name where the finding comes from.")})
    reason = _text(reason, "reason", _("Give the reason the pledge counts as broken."), 1000)
    ref = (ref or "").strip()[:100]
    if ref and PostPledgeBreach.objects.filter(post=post, pledge=pledge_code, source=source, ref=ref).exists():
        return None
    breach = PostPledgeBreach.objects.create(post=post, pledge=pledge_code, source=source, reason=reason, ref=ref,
                                             recorded_by=_user(actor))
    audit.record_create(actor, breach, verb=audit.Event.POST_PLEDGE_BROKEN, centre_id=post.centre_id)
    label = PostPledge(pledge_code).label
    PostEvent.objects.create(
        post=post, action=PostEvent.Action.PLEDGE_BROKEN, status_after=post.status, actor=_user(actor),
        actor_name=actor_name(actor),
        reason=f"{label}：{reason}（{PostPledgeBreach.Source(source).label}{' ' + ref if ref else ''}）")
    return breach



# Complaints upheld (the cases room) ----------------------------------------------------

# The answer's choice when the unit upholds a complaint about a post without any of its
# four pledges being at fault (a complaint about a policy or a system the post cannot change).
NO_PLEDGE = "none"
NO_PLEDGE_LABEL = gettext_lazy("No pledge broken")


def case_pledge_choices():
    """What the unit answering an upheld complaint about a post chooses from."""
    return [*PostPledge.choices, (NO_PLEDGE, NO_PLEDGE_LABEL)]


def case_pledge_options(case):
    """The answer form's field for a complaint about a post (None when the case needs none): its
    label, and each pledge with the words the post's signboard gives it, then "No pledge broken"."""
    from vanguard.cases.models import Kind

    post = case.post if case.post_id else None
    if case.kind != Kind.COMPLAINT or post is None:
        return None
    options = [(code, label, getattr(post, f"pledge_{code}", "")) for code, label in PostPledge.choices]
    return {"label": _("If upheld: the post's pledge it broke"), "options": [*options, (NO_PLEDGE, NO_PLEDGE_LABEL, "")]}


def check_case_pledge(case, upheld, choice):
    """The pledge an answer names, checked before anything is written. A complaint about a
    post that the answer upholds must name the pledge it broke, or say explicitly that it
    broke none; any other answer names nothing (a choice given is ignored). Returns the
    choice ("" when none is needed)."""
    from vanguard.cases.models import Kind

    if case.kind != Kind.COMPLAINT or not upheld or not case.post_id:
        return ""
    choice = (choice or "").strip() if isinstance(choice, str) else ""
    if choice not in PostPledge.values and choice != NO_PLEDGE:
        raise ValidationError({"broken_pledge": _(
            "The complaint is upheld: name the post's pledge it broke, or choose “No pledge broken”.")})
    return choice


def case_pledge_note(choice):
    """The answer step's line saying which pledge was broken (staff only)."""
    if not choice:
        return ""
    if choice == NO_PLEDGE:
        return str(NO_PLEDGE_LABEL)
    return _("Pledge broken: %(pledge)s") % {"pledge": PostPledge(choice).label}


def record_case_breach(actor, case, choice):
    """An upheld complaint naming a pledge: the breach recorded against the post's pledge
    (once per case and pledge, whatever the rounds) and shown in the post's history."""
    if not choice or choice == NO_PLEDGE:
        return None
    from vanguard.posts.models import VanguardPost

    post = VanguardPost.objects.get(pk=case.post_id)
    what = (case.action_taken or "").strip()
    reason = _("Complaint %(number)s upheld") % {"number": case.number}
    if what:
        reason = _("%(reason)s: %(what)s") % {"reason": reason, "what": what[:300]}
    return record_post_pledge_breach(actor, post, choice, PostPledgeBreach.Source.CASE, reason, ref=case.number)
