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
