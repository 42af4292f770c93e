"""How a share (achieved over target, on time over all, 0..1 or beyond) is shown: as a whole
per cent, capped at 100, and as the step of a progress bar. The progress selectors, the
dashboards, the reminders, the exports and the templates all go through here.

- A completion is rounded down, so that 100 % means done (99.6 % of a target shows 99 %).
- A mean of completions (each capped first: one task far over its target does not make up for
  another behind) and a rate (reviewed on time) are rounded to the nearest per cent.
- A bar is drawn by a CSS class per step of BAR_STEP % (no inline style: the CSP forbids it)."""

from collections.abc import Iterable
from math import floor

BAR_STEP = 5
DASH = "—"  # no figure: nothing to measure against


def capped(share: float) -> float:
    """A share for a bar or a mean: above 1 (more than the target) counts as 1."""
    return min(share, 1.0)


def percent(share: float | None) -> int | None:
    """A completion as a whole per cent for a bar and its figure: capped at 100, rounded down."""
    return None if share is None else floor(100 * capped(share))


def rounded_percent(share: float | None) -> int | None:
    """A rate or a mean as the nearest whole per cent, capped at 100."""
    return None if share is None else round(100 * capped(share))


def mean_percent(shares: Iterable[float]) -> int | None:
    """The mean of some completions, each capped, as the nearest whole per cent; None for none."""
    shares = [capped(share) for share in shares]
    return round(100 * sum(shares) / len(shares)) if shares else None


def bar_step(value: int | None) -> int:
    """A per cent rounded to the nearest step the stylesheet has a class for (cx-bar-N)."""
    return 0 if value is None else min(100, BAR_STEP * round(value / BAR_STEP))


def percent_text(value: int | None) -> str:
    """A per cent as shown on a page ("42%"), or a dash when there is nothing to measure."""
    return DASH if value is None else f"{value}%"
