class ActivityError(Exception):
    """A change to an activity that the rules refuse; the message is for users."""


class TransitionRefused(ActivityError):
    """The activity is not in a state that allows this move (perhaps someone acted first)."""


class EvidenceRejected(ActivityError):
    """An uploaded file is of a type, size or number the rules refuse."""


class StaleLevel(TransitionRefused):
    """A reviewer acted at a review level the submission has since left: someone else acted
    first."""
