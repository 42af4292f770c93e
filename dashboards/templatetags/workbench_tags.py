"""The workbench's leader panel (home.html) as one Jinja2 fragment
(templates/jinja2/dashboards/workbench_leader.html): as Django template markup it cost more than
a millisecond on the start page of every leader. The sentences with a count are put together
here and in dashboards.standing_words, where the catalogue's plural forms are read (a fragment
has no plural tag)."""

from django import template
from django.utils.safestring import SafeString
from django.utils.translation import ngettext

from common.jinja2 import render_fragment
from common.urls import url_for_pk
from dashboards.standing_words import standing_words
from dashboards.workbench import LeaderPanel
from evaluations.comment_selectors import LeaderFollowUps

register = template.Library()


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
        words.update(standing_words(panel.standing.whole))
    return render_fragment(
        "dashboards/workbench_leader.html",
        panel=panel,
        follow_ups=follow_ups,
        words=words,
        drill=url_for_pk("dashboards:unit"),
    )
