"""Page numbers for the long lists (the activity search, the review queue), which page by
"previous / next" with an offset and never count everything."""

# Offsets stay cheap on the lists' index orders this deep; beyond it, narrow the filter.
MAX_PAGE = 400


def page_number(value: str | None) -> int:
    """The page asked for in a query string: 1 for anything unreadable, at most MAX_PAGE."""
    try:
        number = int(value or 1)
    except ValueError:
        return 1
    return min(max(number, 1), MAX_PAGE)
