"""Pages of organisational life: thin (parse, call a service or a selector, render), one module per
subject; urls.py names them from here."""

from .activities import (  # noqa: F401
    ActivityFilter,
    ActivityListView,
    activity_create,
    activity_detail,
    activity_evidence,
    activity_group,
)
from .common import (  # noqa: F401
    PAGE,
)
from .meetings import (  # noqa: F401
    MeetingFilter,
    MeetingListView,
    approvals,
    home,
    meeting_attendance,
    meeting_create,
    meeting_detail,
    meeting_edit,
    meeting_file,
    meeting_qr,
    meeting_qr_svg,
    sign_in,
)
from .office import (  # noqa: F401
    board,
    figures,
    overdue,
    settings_page,
)
from .rows import (  # noqa: F401
    activity_rows,
    attendance_rows,
)
