"""The evaluations app's models, one module per mechanism of the campaign's name."""

from evaluations.models.appraisal import (
    REMARK_MAX_LENGTH,
    AppraisalLink,
    AppraisalTally,
    Rating,
    Verdict,
    new_token,
)
from evaluations.models.comments import (
    COMMENT_MAX_LENGTH,
    FOLLOW_UP_REPORT_MAX_LENGTH,
    FOLLOW_UP_TRANSITIONS,
    OPEN_FOLLOW_UP_STATUSES,
    FollowUp,
    FollowUpAction,
    FollowUpEvent,
    FollowUpStatus,
    Grade,
    LeaderComment,
)
from evaluations.models.commitments import (
    PROMISE_MAX_LENGTH,
    STATEMENT_MAX_LENGTH,
    Commitment,
    CommitmentSet,
    FulfilmentReport,
    PublicBoard,
    ReviewEvent,
)
from evaluations.models.report_files import ReportFile
from evaluations.models.standing import AppraisalRollup, StandingKind, StandingRollup

__all__ = [
    "COMMENT_MAX_LENGTH",
    "FOLLOW_UP_REPORT_MAX_LENGTH",
    "FOLLOW_UP_TRANSITIONS",
    "OPEN_FOLLOW_UP_STATUSES",
    "PROMISE_MAX_LENGTH",
    "REMARK_MAX_LENGTH",
    "STATEMENT_MAX_LENGTH",
    "AppraisalLink",
    "AppraisalRollup",
    "AppraisalTally",
    "Commitment",
    "CommitmentSet",
    "FollowUp",
    "FollowUpAction",
    "FollowUpEvent",
    "FollowUpStatus",
    "FulfilmentReport",
    "Grade",
    "LeaderComment",
    "PublicBoard",
    "Rating",
    "ReportFile",
    "ReviewEvent",
    "StandingKind",
    "StandingRollup",
    "Verdict",
    "new_token",
]
