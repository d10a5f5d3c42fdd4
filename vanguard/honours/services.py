"""Use cases of honours. Each is one transaction, checks who acts, writes the audit
trail, and refuses bad input with a Chinese ValidationError naming the field,
nothing half-applied.

The selection workflow: open_selection -> nominate (evidence filled from the data)
-> [score_nomination | issue_vote_codes + cast_vote] -> review_nomination /
judge_standards -> start_notice (公示, N working days, official holidays skipped)
-> file_objection (public; becomes a case) -> resolve_objection -> award_selection
(not before the notice ended; honours, certificates, boards).

The use cases live in one module per part (teams, selections, voting, notice, medals; what they
share in base); this module re-exports them, so callers and tests keep `services.<name>`."""

from .base import (  # noqa: F401 - re-exported
    CANDIDATE_MODELS,
    DEFAULT_QUOTAS,
    State,
    Status,
    _actor_user,
    _office,
    _reviewable,
    _text,
)
from .medals import (  # noqa: F401 - re-exported
    _forget_signboards,
    _holder_floor,
    _label,
    _move,
    award_medal,
    create_medal_scheme,
    due_rotations,
    floor_of,
    next_period,
    period_of,
    previous_period,
    rotate_due,
    rotate_medals,
)

# The models the module imported before it was split (callers read e.g. services.MedalScheme.HolderKind).
from .models import (  # noqa: F401 - re-exported
    HONOUR_CANDIDATES,
    STANDARDS,
    Ballot,
    BrandPhoto,
    CandidateKind,
    Holding,
    Honour,
    HonourKind,
    Medal,
    MedalScheme,
    Nomination,
    Objection,
    PanelScore,
    Selection,
    ServiceBrand,
    StoryLink,
    Team,
    VoteCode,
)
from .notice import (  # noqa: F401 - re-exported
    _intake,
    award_selection,
    certificate_number,
    file_objection,
    ranking,
    resolve_objection,
    start_notice,
)
from .selections import (  # noqa: F401 - re-exported
    _candidate_centre,
    _candidate_floor,
    _candidate_name,
    _reach,
    close_nominations,
    judge_standards,
    may_nominate,
    nominate,
    open_selection,
    review_nomination,
    score_nomination,
)
from .teams import (  # noqa: F401 - re-exported
    create_brand,
    create_team,
    link_story,
)
from .voting import (  # noqa: F401 - re-exported
    cast_vote,
    find_vote_code,
    issue_vote_codes,
    vote_code_problem,
)
