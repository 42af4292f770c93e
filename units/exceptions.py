class UnitError(Exception):
    """A change to the tree or its memberships that the rules refuse; the message is for users."""


class UnitReferenced(UnitError):
    pass
