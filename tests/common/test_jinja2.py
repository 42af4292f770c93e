"""The Jinja2 engine writes what Django templates write: values escaped as Django escapes them
(quotes included), words from the same catalogues, a tag that prints a fragment once."""

import datetime

import pytest
from django.template import Context, Template
from django.utils.html import escape
from django.utils.translation import override

from common.jinja2 import macros, render_fragment

HOSTILE = '<script>alert("cx")</script>"\'&=cmd|'


def test_a_value_is_escaped_as_django_escapes_it():
    badge = str(macros().status_badge(HOSTILE, HOSTILE))

    assert badge == (
        f'<span class="badge status-badge status-{escape(HOSTILE)}" data-testid="status">'
        f"{escape(HOSTILE)}</span>"
    )
    assert "&#34;" not in badge and "&#39;" not in badge


def test_the_badges_are_the_same_in_django_and_jinja2_templates():
    page = Template("{% load cx %}{% pace_badge pace label %}").render(
        Context({"pace": "behind", "label": HOSTILE})
    )

    assert page == str(macros().pace_badge("behind", HOSTILE))
    assert escape(HOSTILE) in page


@pytest.mark.parametrize(("language", "word"), [("zh-hans", "无指标"), ("en", "No target")])
def test_words_come_from_the_catalogues(language, word):
    with override(language):
        assert word in str(macros().pace_badge(None, ""))


def test_a_fragment_renders_every_row_at_once():
    trend = [(datetime.date(2026, month, 1), month, 10 * month) for month in (1, 2)]

    html = render_fragment("dashboards/trend_rows.html", trend=trend)

    assert html.count("<tr>") == 2
    assert '<td>2026-02</td><td class="text-end">2</td><td class="text-end">20</td>' in html
