from django.dispatch import Signal

# Sent after a unit has moved to another parent, inside the move's transaction, so that whatever
# is kept along the tree (activities.rollups, the review routing) follows in the same commit.
# Arguments: `unit` (reloaded: its new path), `old_path` (its path before the move) and
# `old_parent` (the unit it was under, None for a root; its path may have changed too, since a
# sorted insertion renumbers siblings). A move whose unit is unknown (the admin's drag and drop
# without them) is sent with unit=None: receivers then look at the whole tree.
unit_moved = Signal()
