"""Use cases of organisational life, one module per subject; callers import them from here
(`from vanguard.life import services`; `services.plan_meeting(...)`). Every function checks the
actor's right, validates the whole input before writing anything, and writes its audit row in the
same transaction."""

from .activities import (  # noqa: F401
    MAX_HOURS_A_DAY,
    activity_kinds,
    decide_activity,
    record_activity,
    set_activity_kind,
)
from .attendance import (  # noqa: F401
    decide_leave,
    record_attendance,
    record_makeup,
    request_leave,
)
from .due import (  # noqa: F401
    REMIND_DAYS,
    branch_filter_q,
    branches_of,
    completion_board,
    due_soon,
    held_counts,
    overdue,
    period_of,
    send_due_reminders,
)
from .meetings import (  # noqa: F401
    DEFAULT_LENGTH,
    MEETING_FIELDS,
    ORGANISATION_KINDS,
    add_meeting_file,
    cadence_for,
    members_of,
    plan_meeting,
    record_held,
    set_cadence,
    update_meeting,
)
from .signin import (  # noqa: F401
    CODE_SECONDS,
    SIGNIN_OPENS_BEFORE,
    code_is_valid,
    sign_in,
    signin_chain,
    signin_code,
    signin_window,
)
