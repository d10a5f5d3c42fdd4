"""The use cases of cases (诉求件), following the 12345 hotline's rules:

- intake (`intake_case`): from the signboard, a phone call or letter, a rating's or an
  evaluation's comment, the review campaign, another system (API) or a public notice's
  objection. The case is dispatched at once when what it is about names its unit
  (the post's, the window's or the person's); otherwise the office dispatches it.
- dispatch (派单) / accept (签收) / return (退单): the unit accepts within the centre's
  accept days or returns it with a reason; the office decides (re-dispatch, here or to
  another unit, or close).
- deadlines in working days by kind (core/workdays.py, official holidays skipped),
  reminders (催办) before them and overdue recorded once, by the sweep (`sweep`);
  supervision (督办) with its own deadline and a note to the unit's leader; an
  extension (延期) asked with a reason and granted or refused by the office.
- answer, call-back (回访): dissatisfied sends the case back (重办) with a new deadline,
  up to the centre's redo limit, after which the office decides.
- praise closes at once with thanks to the person, and counts in their record.

Every function is one transaction, checks the actor's right first, writes its audit
row and the case's step. Bad input is a ValidationError naming the field, in Chinese.

Split by stage: `base` (rules, calendar, redaction, who may act, steps), `intake`, `routing`
(dispatch, accept, return, supervision, extension, rules), `answers` (answer, call-back, redo,
decide, close). This module re-exports their public functions, so callers import from here."""

from .answers import answer_case, call_back, close_case, decide_case
from .base import calendar, can_see_contact, is_handler, is_office, redact, rules_for
from .intake import (
    PHOTO_MAX_BYTES,
    PHOTO_MAX_FILES,
    case_from_evaluation,
    case_from_rating,
    check_public_input,
    intake_case,
    route,
)
from .routing import (
    accept_case,
    ask_extension,
    decide_extension,
    dispatch_case,
    return_case,
    set_rules,
    supervise_case,
)

__all__ = [
    "PHOTO_MAX_BYTES", "PHOTO_MAX_FILES", "accept_case", "answer_case", "ask_extension", "calendar", "call_back",
    "can_see_contact", "case_from_evaluation", "case_from_rating", "check_public_input", "close_case",
    "decide_case", "decide_extension", "dispatch_case", "intake_case", "is_handler", "is_office", "redact",
    "return_case", "route", "rules_for", "set_rules", "supervise_case",
]
