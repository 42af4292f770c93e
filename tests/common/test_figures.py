"""common.figures: the one rule for a share shown as a per cent, its cap and the bar's step."""

import pytest

from common import figures


@pytest.mark.parametrize(
    ("share", "expected"),
    [(None, None), (0, 0), (0.29, 28), (0.996, 99), (1.0, 100), (2.5, 100)],
)
def test_a_completion_is_rounded_down_and_capped(share, expected):
    # 0.29 * 100 is 28.999…: rounded down, as the bars always were.
    assert figures.percent(share) == expected


def test_a_mean_caps_each_share_then_rounds_to_the_nearest():
    assert figures.mean_percent([]) is None
    assert figures.mean_percent([4 / 12, 1 / 4]) == round((4 / 12 * 100 + 1 / 4 * 100) / 2)
    assert figures.mean_percent([3.0, 0.0]) == 50  # far over one target does not make up


@pytest.mark.parametrize(
    ("value", "step"), [(None, 0), (0, 0), (2, 0), (3, 5), (12, 10), (98, 100), (100, 100)]
)
def test_the_bar_goes_in_steps_of_five(value, step):
    assert figures.bar_step(value) == step


def test_a_missing_figure_is_a_dash():
    assert figures.percent_text(None) == "—"
    assert figures.percent_text(42) == "42%"
