"""The names of audited events. Services pass one of these as `verb`; the trail
stores the name untranslated and shows it in the reader's language through
`changes.VERBS` (`label`). A name not listed there is shown as it was written."""


class Event:
    # core
    CALENDAR_YEAR_CONFIRMED = "confirm calendar year"
    API_TOKEN_CREATED = "create API token"  # noqa: S105 -- an event name
    API_TOKEN_ROTATED = "rotate API token"  # noqa: S105 -- an event name
    PASSWORD_RESET = "reset password"  # noqa: S105 -- an event name
    ACCOUNT_ACTIVATED = "activate account"
    ACCOUNT_DEACTIVATED = "deactivate account"
    ACCOUNT_LINKED = "link account"
    ACCOUNT_UNLINKED = "unlink account"
    # org
    ROSTER_IMPORT = "roster import"
    CITY_DEMO = "city demo"
    # assessment
    SCHEME = "assessment scheme"
    SCHEME_ACTIVATED = "assessment scheme activated"
    MONTH_OPENED = "assessment month opened"
    SCORING_STARTED = "scoring started"
    SCORING_CLOSED = "scoring closed"
    SCORING_CLOSED_UNASSESSED = "scoring closed confirmed with members not assessed"
    PUBLISHED_UNASSESSED = "publication confirmed with members not assessed"
    PUBLISHED = "published"
    RESULTS_COMPUTED = "results computed"
    MADE_FINAL = "made final"
    SCORE_ENTERED = "score entered"
    SCORE_CHANGED = "score changed"
    SCORES_ENTERED = "scores entered"
    SCORE_CORRECTED = "score corrected after publication"
    RESULT_NEW_VERSION = "result version"
    AUTO_COMPUTED = "automatic indicators computed"
    SCORE_OVERRIDDEN = "computed score overridden"
    SCORE_RESTORED = "computed score restored"
    ADJUSTMENT_ENTERED = "adjustment entered"
    ADJUSTMENT_DECIDED = "adjustment decided"
    APPEAL_SUBMITTED = "appeal submitted"
    APPEAL_DECIDED = "appeal decided"
    # life
    MEETING_CADENCE_SET = "meeting cadence set"
    MEETING_PLANNED = "meeting planned"
    MEETING_CHANGED = "meeting changed"
    MEETING_HELD = "meeting recorded as held"
    MEETING_FILE_ADDED = "meeting file added"
    ATTENDANCE_RECORDED = "attendance recorded"
    SIGNED_IN = "signed in"
    LEAVE_REQUESTED = "leave requested"
    LEAVE_DECIDED = "leave decided"
    MAKEUP_RECORDED = "make-up study recorded"
    ACTIVITY_KIND_SET = "activity kind set"
    ACTIVITY_RECORDED = "activity recorded"
    ACTIVITY_DECIDED = "activity decided"
    MEETING_REMINDER = "meeting reminder sent"
    # notices
    NOTICE_SENT = "notice sent"
    NOTICE_PREFERENCE = "notice preference"
    # dashboard
    FIGURES_REFRESHED = "figures refreshed"
    SCREEN_CREATED = "big screen created"
    SCREEN_REVOKED = "big screen revoked"
    REPORT_MADE = "annual report made"
    # pledges
    PLEDGE_MADE = "pledge made"
    PLEDGE_REVISED = "pledge revised"
    PLEDGE_APPROVED = "pledge approved"
    PLEDGE_RETURNED = "pledge returned"
    PLEDGE_PROGRESS = "pledge progress recorded"
    PLEDGE_PROGRESS_CONFIRMED = "pledge progress confirmed"
    PLEDGE_JUDGED = "pledge judged"
    PLEDGE_COMMENTED = "pledge commented"
    PLEDGE_COMMENT_MODERATED = "pledge comment moderated"
    POST_PLEDGE_BROKEN = "post pledge broken"
    LETTER_DRAFTED = "responsibility letter drafted"
    LETTER_TARGETS = "responsibility letter targets set"
    LETTER_SENT = "responsibility letter sent"
    LETTER_SIGNED = "responsibility letter signed"
    LETTER_PROGRESS = "responsibility letter progress"
    LETTER_SCORED = "responsibility letter scored"
    LETTER_RESULTS_PUBLISHED = "responsibility letter results published"

    # honours
    SELECTION_OPENED = "selection opened"
    NOMINATED = "candidate nominated"
    NOMINATIONS_CLOSED = "nominations closed"
    NOMINATION_SCORED = "nomination scored by the panel"
    VOTE_CODES_ISSUED = "vote codes issued"
    VOTE_CAST = "vote cast"
    NOMINATION_REVIEWED = "nomination reviewed"
    STANDARDS_JUDGED = "red-flag standards judged"
    NOTICE_STARTED = "public notice started"
    OBJECTION_FILED = "objection filed"
    OBJECTION_ANSWERED = "objection answered"
    SELECTION_AWARDED = "selection awarded"
    MEDALS_CREATED = "rotating medals created"
    MEDALS_MOVED = "medals moved by the rule"
    MEDAL_PASSED = "medal passed by decision"
    TEAM_CREATED = "team created"
    BRAND_CREATED = "service brand created"
    STORY_LINKED = "exemplar story linked"

def label(verb):
    """The event's name in the active language."""
    from .changes import verb_label

    return verb_label(verb)
