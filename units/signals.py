from django.dispatch import Signal

# Sent after a unit has moved to another parent, inside the move's transaction: whatever is
# rolled up along the tree (activities.rollups) must be recomputed.
unit_moved = Signal()
