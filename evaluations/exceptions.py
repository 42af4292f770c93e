class EvaluationError(Exception):
    """A change the evaluation rules refuse; the message is for users."""


class AlreadyRated(EvaluationError):
    """This device has rated this unit in this campaign already."""


class AppraisalClosed(EvaluationError):
    """The campaign the link belongs to is not running: nothing can be rated through it."""


class NotAllowed(EvaluationError):
    """The user may not do this to this unit."""


class TransitionRefused(EvaluationError):
    """The submission is not in a state that allows the move (someone acted on it first)."""


# --- Honour roll (公示 of the shortlist, objections, commendation) -----------------------------


class NoticeClosed(EvaluationError):
    """The shortlist's notice period (公示) is not open: no objection is taken."""


class CommendationRefused(EvaluationError):
    """The round cannot be commended yet (period open, objections unanswered, already decided)."""


class HonourRefused(EvaluationError):
    """An honours round, quota or application does not meet the rules."""


class QuotaExceeded(HonourRefused):
    """The recommending unit has used its quota for the category."""
