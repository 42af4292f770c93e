"""The workbench's leader panel (home.html) as one Jinja2 fragment
(templates/jinja2/dashboards/workbench_leader.html): as Django template markup it cost more than
a millisecond on the start page of every leader. The sentences with a count are put together
here, where the catalogue's plural forms are read (the fragment has no plural tag)."""

from django import template
from django.utils.safestring import SafeString
from django.utils.translation import ngettext

from common.jinja2 import render_fragment
from common.urls import url_for_pk
from dashboards.workbench import LeaderPanel
from evaluations.comment_selectors import LeaderFollowUps

register = template.Library()


def _overdue(count: int) -> str:
    return ngettext("%(overdue)s overdue", "%(overdue)s overdue", count) % {"overdue": count}


@register.simple_tag
def leader_panel(panel: LeaderPanel, follow_ups: LeaderFollowUps | None) -> SafeString:
    """The panel of dashboards.workbench.leader_panel, with the leader's follow-ups if any."""
    words = {}
    if panel.board:
        behind = len(panel.board.behind)
        words["behind"] = ngettext(
            "%(units)s unit below is behind pace", "%(units)s units below are behind pace", behind
        ) % {"units": behind}
    if panel.standing:
        whole = panel.standing.whole
        ratings = whole.satisfaction.ratings
        words["commitments_overdue"] = _overdue(whole.commitments.overdue)
        words["follow_ups_overdue"] = _overdue(whole.follow_ups.overdue)
        words["ratings"] = ngettext("%(ratings)s rating", "%(ratings)s ratings", ratings) % {
            "ratings": ratings
        }
    return render_fragment(
        "dashboards/workbench_leader.html",
        panel=panel,
        follow_ups=follow_ups,
        words=words,
        drill=url_for_pk("dashboards:unit"),
    )
