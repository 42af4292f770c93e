"""The standing figures' sentences with a count (commitments and follow-ups overdue, ratings),
for the Jinja2 fragments that show them (the dashboard's body, the workbench's leader panel):
a fragment has no plural tag, so they are put together here with the catalogue's plural forms."""

from django.utils.translation import ngettext

from evaluations.standing_selectors import Standing


def _overdue(count: int) -> str:
    return ngettext("%(overdue)s overdue", "%(overdue)s overdue", count) % {"overdue": count}


def standing_words(whole: Standing) -> dict[str, str]:
    ratings = whole.satisfaction.ratings
    return {
        "commitments_overdue": _overdue(whole.commitments.overdue),
        "follow_ups_overdue": _overdue(whole.follow_ups.overdue),
        "ratings": ngettext("%(ratings)s rating", "%(ratings)s ratings", ratings)
        % {"ratings": ratings},
    }
