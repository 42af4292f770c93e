"""What a notification says, in the active language: one title and a short text per rule.

Callers choose the language (`translation.override(recipient.language or LANGUAGE_CODE)` for
e-mail; the request's language in the inbox). The words are built here from the notification's
`context`, written by the rule or transition that made it (notifications.rules / transitions).
Every key is optional — a missing one falls back to a neutral wording — so an older row or a new
rule never breaks the inbox. The keys read (written by notifications.rules and .transitions):

- activity_title, unit_name — the activity and its organising unit; for target_due and
  weekly_digest, unit_name is the unit the notice is about.
- campaign_name — every rule about a campaign; phase_name, deadline (ISO date) — phase_deadline.
- count — submitted: how many submissions the reviewer's notice of the day gathers.
- reason, reviewer — returned; reason also for return_unfixed.
- days — days left (target_due, phase_deadline) or days waited (review_overdue,
  review_escalated, return_unfixed, coorganiser_unanswered).
- deadline_days — review_overdue / review_escalated: the campaign's review deadline;
  review_unit_name, escalated_to — review_escalated.
- coorganiser_name — coorganiser_unanswered: the unit asked to answer.
- task_title, due_on (ISO date), achieved, target, percent — target_due.
- figures — weekly_digest: a dict, known keys shown with labels (FIGURE_LABELS), others as
  "key: value"; as_of (ISO date).
"""

from dataclasses import dataclass
from datetime import date

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from notifications.models import Notification, Rule


@dataclass(frozen=True)
class Description:
    title: str
    text: str


# Labels for the weekly digest's figures, in the order they are shown.
FIGURE_LABELS = {
    "percent": gettext_lazy("Progress against targets (%)"),
    "activities": gettext_lazy("Approved activities"),
    "participants": gettext_lazy("Participants"),
    "units": gettext_lazy("Units"),
    "behind": gettext_lazy("Units behind pace"),
    "overdue_reviews": gettext_lazy("Reviews past the deadline"),
}


def _date(value) -> str:
    """An ISO date from the context, shown in the active language's format."""
    if not value:
        return ""
    try:
        return formats.date_format(date.fromisoformat(str(value)), "DATE_FORMAT")
    except ValueError:
        return str(value)


def _int(value, default: int = 0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _figure(value) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value) if value else "0"
    if value is None:
        return "—"
    return str(value)


def figure_rows(figures) -> list[tuple[str, str]]:
    """(label, value) pairs for a digest's figures: known keys first, labelled."""
    if not isinstance(figures, dict):
        return []
    rows = [
        (str(label), _figure(figures[key]))
        for key, label in FIGURE_LABELS.items()
        if key in figures
    ]
    rows += [
        (str(key), _figure(value)) for key, value in figures.items() if key not in FIGURE_LABELS
    ]
    return rows


def _activity(c: dict) -> str:
    return c.get("activity_title") or _("an activity")


def _unit(c: dict) -> str:
    return c.get("unit_name") or _("your unit")


def _submitted(c: dict) -> Description:
    count = _int(c.get("count"), 1)
    if count == 1:
        return Description(
            _("New submission to review: %(activity)s") % {"activity": _activity(c)},
            _("%(unit)s submitted “%(activity)s”. It waits for your review.")
            % {"unit": c.get("unit_name") or _("A unit"), "activity": _activity(c)},
        )
    return Description(
        ngettext(
            "%(count)d new submission to review",
            "%(count)d new submissions to review",
            count,
        )
        % {"count": count},
        _("Open the review queue to see them."),
    )


def _returned(c: dict) -> Description:
    text = _("“%(activity)s” was returned to you. Correct it and submit it again.") % {
        "activity": _activity(c)
    }
    if c.get("reason"):
        if c.get("reviewer"):
            text += " " + _("%(reviewer)s wrote: %(reason)s") % {
                "reviewer": c["reviewer"],
                "reason": c["reason"],
            }
        else:
            text += " " + _("The reviewer wrote: %(reason)s") % {"reason": c["reason"]}
    return Description(_("Activity returned: %(activity)s") % {"activity": _activity(c)}, text)


def _target_due(c: dict) -> Description:
    days = _int(c.get("days"))
    task = c.get("task_title") or _("a target")
    title = ngettext(
        "Target due in %(days)d day: %(task)s",
        "Target due in %(days)d days: %(task)s",
        days,
    ) % {"days": days, "task": task}
    text = _("%(unit)s is behind pace on “%(task)s”, due on %(due_on)s.") % {
        "unit": _unit(c),
        "task": task,
        "due_on": _date(c.get("due_on")) or _("soon"),
    }
    if c.get("target") is not None and c.get("achieved") is not None:
        text += " " + _("Done so far: %(achieved)s of %(target)s.") % {
            "achieved": c["achieved"],
            "target": c["target"],
        }
    return Description(title, text)


def _waited(c: dict) -> str:
    days = _int(c.get("days"))
    return ngettext("%(days)d day", "%(days)d days", days) % {"days": days}


def _deadline(c: dict) -> str:
    if c.get("deadline_days") is None:
        return ""
    days = _int(c["deadline_days"])
    return " " + ngettext(
        "The review deadline is %(days)d day.", "The review deadline is %(days)d days.", days
    ) % {"days": days}


def _review_overdue(c: dict) -> Description:
    return Description(
        _("Review overdue: %(activity)s") % {"activity": _activity(c)},
        _("“%(activity)s” from %(unit)s has waited %(waited)s for review.")
        % {"activity": _activity(c), "unit": _unit(c), "waited": _waited(c)}
        + _deadline(c),
    )


def _review_escalated(c: dict) -> Description:
    text = _(
        "“%(activity)s” from %(unit)s has waited %(waited)s for review, more than twice the "
        "deadline, and has been escalated to you."
    ) % {"activity": _activity(c), "unit": _unit(c), "waited": _waited(c)}
    if c.get("review_unit_name"):
        text += " " + _("It waits for the reviewers of %(review_unit)s.") % {
            "review_unit": c["review_unit_name"]
        }
    return Description(
        _("Review escalated to you: %(activity)s") % {"activity": _activity(c)}, text
    )


def _return_unfixed(c: dict) -> Description:
    text = _("“%(activity)s” was returned %(waited)s ago and has not been submitted again.") % {
        "activity": _activity(c),
        "waited": _waited(c),
    }
    if c.get("reason"):
        text += " " + _("The reviewer wrote: %(reason)s") % {"reason": c["reason"]}
    return Description(
        _("Returned activity still waiting: %(activity)s") % {"activity": _activity(c)}, text
    )


def _coorganiser_unanswered(c: dict) -> Description:
    return Description(
        _("Co-organiser invitation waiting: %(activity)s") % {"activity": _activity(c)},
        _(
            "%(unit)s named %(coorganiser)s as co-organiser of “%(activity)s” %(waited)s ago. "
            "Confirm or decline it."
        )
        % {
            "unit": c.get("unit_name") or _("A unit"),
            "coorganiser": c.get("coorganiser_name") or _("your unit"),
            "activity": _activity(c),
            "waited": _waited(c),
        },
    )


def _phase_deadline(c: dict) -> Description:
    days = _int(c.get("days"))
    phase = c.get("phase_name") or _("a phase")
    title = ngettext(
        "Phase deadline in %(days)d day: %(phase)s",
        "Phase deadline in %(days)d days: %(phase)s",
        days,
    ) % {"days": days, "phase": phase}
    text = _("The phase “%(phase)s” of %(campaign)s ends on %(deadline)s.") % {
        "phase": phase,
        "campaign": c.get("campaign_name") or _("the campaign"),
        "deadline": _date(c.get("deadline")) or _("soon"),
    }
    return Description(title, text)


def _weekly_digest(c: dict) -> Description:
    title = _("Weekly progress: %(unit)s") % {"unit": _unit(c)}
    lines = [f"{label}: {value}" for label, value in figure_rows(c.get("figures"))]
    if c.get("campaign_name"):
        heading = str(c["campaign_name"])
        if c.get("as_of"):
            heading += " · " + _("as of %(day)s") % {"day": _date(c["as_of"])}
        lines.insert(0, heading)
    return Description(title, "\n".join(lines) or _("Open the dashboard for this week's figures."))


# --- Follow-ups of leader comments (notifications.follow_ups) ---------------------------------


def _follow_up_comment(c: dict) -> str:
    return c.get("comment") or _("a leader's comment")


def _follow_up_required(c: dict) -> Description:
    text = _(
        "%(author)s commented on %(unit)s and requires a follow-up by %(due)s: %(comment)s"
    ) % {
        "author": c.get("author") or _("A leader"),
        "unit": _unit(c),
        "due": _date(c.get("due_on")) or _("the due date"),
        "comment": _follow_up_comment(c),
    }
    return Description(_("Follow-up required of %(unit)s") % {"unit": _unit(c)}, text)


def _follow_up_reported(c: dict) -> Description:
    return Description(
        _("Follow-up reported by %(unit)s") % {"unit": _unit(c)},
        _(
            "%(unit)s reported what it did about your comment “%(comment)s”. "
            "Close it or send it back."
        )
        % {"unit": _unit(c), "comment": _follow_up_comment(c)},
    )


def _follow_up_sent_back(c: dict) -> Description:
    text = _("The follow-up of “%(comment)s” was sent back. Report again by %(due)s.") % {
        "comment": _follow_up_comment(c),
        "due": _date(c.get("due_on")) or _("the due date"),
    }
    if c.get("reason"):
        text += " " + _("The leader wrote: %(reason)s") % {"reason": c["reason"]}
    return Description(_("Follow-up sent back: %(unit)s") % {"unit": _unit(c)}, text)


def _follow_up_overdue(c: dict) -> Description:
    return Description(
        _("Follow-up overdue: %(unit)s") % {"unit": _unit(c)},
        _("The follow-up of “%(comment)s” was due on %(due)s and is not closed yet.")
        % {"comment": _follow_up_comment(c), "due": _date(c.get("due_on")) or _("its due date")},
    )


def _reviewer_wrote(c: dict) -> str:
    if not c.get("reason"):
        return ""
    if c.get("reviewer"):
        return " " + _("%(reviewer)s wrote: %(reason)s") % {
            "reviewer": c["reviewer"],
            "reason": c["reason"],
        }
    return " " + _("The reviewer wrote: %(reason)s") % {"reason": c["reason"]}


def _commitments_submitted(c: dict) -> Description:
    return Description(
        _("Commitments to review: %(unit)s") % {"unit": c.get("unit_name") or _("A unit")},
        _("%(unit)s submitted its public commitments for %(campaign)s. They wait for your review.")
        % {
            "unit": c.get("unit_name") or _("A unit"),
            "campaign": c.get("campaign_name") or _("the campaign"),
        },
    )


def _commitments_returned(c: dict) -> Description:
    text = _(
        "The public commitments of %(unit)s for %(campaign)s were returned. Correct them "
        "and submit them again."
    ) % {
        "unit": _unit(c),
        "campaign": c.get("campaign_name") or _("the campaign"),
    }
    return Description(
        _("Commitments returned: %(unit)s") % {"unit": _unit(c)}, text + _reviewer_wrote(c)
    )


def _fulfilment_submitted(c: dict) -> Description:
    promise = c.get("promise") or _("a commitment")
    return Description(
        _("Fulfilment report to review: %(unit)s") % {"unit": c.get("unit_name") or _("A unit")},
        _("%(unit)s reported “%(promise)s” fulfilled. The report waits for your review.")
        % {"unit": c.get("unit_name") or _("A unit"), "promise": promise},
    )


def _fulfilment_returned(c: dict) -> Description:
    promise = c.get("promise") or _("a commitment")
    text = _(
        "The fulfilment report of “%(promise)s” was returned. Correct it and submit it again."
    ) % {"promise": promise}
    return Description(
        _("Fulfilment report returned: %(unit)s") % {"unit": _unit(c)}, text + _reviewer_wrote(c)
    )


def _commitment_overdue(c: dict) -> Description:
    promise = c.get("promise") or _("a commitment")
    title = _("Commitment past due: %(promise)s") % {"promise": promise}
    text = _(
        "%(unit)s promised this by %(due_on)s and has not yet reported it fulfilled: report it "
        "with a statement and evidence."
    ) % {"unit": _unit(c), "due_on": _date(c.get("due_on")) or _("its due date")}
    return Description(title, text)


# --- Issue 14: scores, assessment notices, honours ---------------------------------------------


def _campaign(c: dict) -> str:
    return c.get("campaign_name") or _("the campaign")


def _nominee(c: dict) -> str:
    return c.get("nominee") or c.get("unit_name") or _("an application")


def _adjustment_submitted(c: dict) -> Description:
    return Description(
        _("Bonus or deduction item to review: %(unit)s") % {"unit": _unit(c)},
        _(
            "A bonus or deduction item (%(points)s) of %(unit)s for "
            "%(campaign)s waits for your review."
        )
        % {"points": c.get("points") or "", "unit": _unit(c), "campaign": _campaign(c)},
    )


def _adjustment_approved(c: dict) -> Description:
    return Description(
        _("Bonus or deduction item approved: %(unit)s") % {"unit": _unit(c)},
        _(
            "The bonus or deduction item (%(points)s) of %(unit)s for "
            "%(campaign)s was approved: it counts in the score."
        )
        % {"points": c.get("points") or "", "unit": _unit(c), "campaign": _campaign(c)},
    )


def _adjustment_returned(c: dict) -> Description:
    text = _(
        "The bonus or deduction item (%(points)s) of %(unit)s was "
        "returned. Correct it and submit it again."
    ) % {"points": c.get("points") or "", "unit": _unit(c)}
    return Description(
        _("Bonus or deduction item returned: %(unit)s") % {"unit": _unit(c)},
        text + _reviewer_wrote(c),
    )


def _snapshot_published(c: dict) -> Description:
    if c.get("corrects"):
        return Description(
            _("Corrected assessment result published: %(campaign)s") % {"campaign": _campaign(c)},
            _(
                "A corrected version of the assessment result of %(campaign)s replaces version "
                "%(version)s; objections are taken until %(day)s. Check your unit's result. "
                "The correction: %(reason)s"
            )
            % {
                "campaign": _campaign(c),
                "version": c.get("corrects"),
                "reason": c.get("reason") or "",
                "day": _date(c.get("window_ends_on")) or _("its last day"),
            },
        )
    return Description(
        _("Assessment result published: %(campaign)s") % {"campaign": _campaign(c)},
        _(
            "The assessment result of %(campaign)s is published for "
            "objections until %(day)s. Check your unit's result."
        )
        % {"campaign": _campaign(c), "day": _date(c.get("window_ends_on")) or _("its last day")},
    )


def _score_objection_filed(c: dict) -> Description:
    return Description(
        _("Objection to a result: %(unit)s") % {"unit": _unit(c)},
        _("%(unit)s objects to its assessment result in %(campaign)s. Answer the objection.")
        % {"unit": _unit(c), "campaign": _campaign(c)},
    )


def _score_objection_answered(c: dict) -> Description:
    if c.get("outcome") == "upheld":
        outcome = _("It was upheld: a corrected result is published.")
    else:
        outcome = _("It was rejected.")
    answer = " " + _("The answer: %(reason)s") % {"reason": c["reason"]} if c.get("reason") else ""
    return Description(
        _("Objection answered: %(unit)s") % {"unit": _unit(c)},
        _("Your objection to the result of %(unit)s was answered.") % {"unit": _unit(c)}
        + " "
        + outcome
        + answer,
    )


def _snapshot_window_closing(c: dict) -> Description:
    count = _int(c.get("count"), 1)
    return Description(
        _("Objections unanswered: %(campaign)s") % {"campaign": _campaign(c)},
        ngettext(
            "%(count)d objection to the assessment result waits for "
            "an answer; the notice ends on %(day)s.",
            "%(count)d objections to the assessment result wait for "
            "an answer; the notice ends on %(day)s.",
            count,
        )
        % {"count": count, "day": _date(c.get("window_ends_on")) or _("its last day")},
    )


def _honour_waiting(c: dict) -> Description:
    return Description(
        _("Honour application to recommend: %(nominee)s") % {"nominee": _nominee(c)},
        _(
            "The application of %(unit)s for “%(category)s” "
            "(%(nominee)s) waits for your recommendation."
        )
        % {
            "unit": _unit(c),
            "category": c.get("category_name") or _("an honour"),
            "nominee": _nominee(c),
        },
    )


def _honour_declined(c: dict) -> Description:
    text = _("The application for “%(category)s” (%(nominee)s) was declined.") % {
        "category": c.get("category_name") or _("an honour"),
        "nominee": _nominee(c),
    }
    return Description(
        _("Honour application declined: %(nominee)s") % {"nominee": _nominee(c)},
        text + _reviewer_wrote(c),
    )


def _honour_window_closing(c: dict) -> Description:
    return Description(
        _("Honour applications close soon: %(round)s") % {"round": c.get("round_title") or ""},
        _("Applications close on %(day)s and your unit still has a draft: submit it in time.")
        % {"day": _date(c.get("closes_on")) or _("the closing day")},
    )


def _shortlist_published(c: dict) -> Description:
    return Description(
        _("Honours shortlist published: %(round)s") % {"round": c.get("round_title") or ""},
        _("The shortlist is published for objections until %(day)s.")
        % {"day": _date(c.get("publicity_ends_on")) or _("its last day")},
    )


def _honour_objection_sent(c: dict) -> Description:
    return Description(
        _("Objection to a nominee: %(nominee)s") % {"nominee": _nominee(c)},
        _("Someone objects to %(nominee)s on the shortlist of %(round)s. Answer the objection.")
        % {"nominee": _nominee(c), "round": c.get("round_title") or ""},
    )


def _honour_notice_unanswered(c: dict) -> Description:
    count = _int(c.get("count"), 1)
    return Description(
        _("Nominee objections unanswered: %(round)s") % {"round": c.get("round_title") or ""},
        ngettext(
            "The notice is over and %(count)d objection waits for an "
            "answer: answer it before commending.",
            "The notice is over and %(count)d objections wait for an "
            "answer: answer them before commending.",
            count,
        )
        % {"count": count},
    )


def _honour_commended(c: dict) -> Description:
    return Description(
        _("Commended: %(nominee)s") % {"nominee": _nominee(c)},
        _("%(nominee)s is commended with “%(category)s” in %(round)s.")
        % {
            "nominee": _nominee(c),
            "category": c.get("category_name") or _("an honour"),
            "round": c.get("round_title") or "",
        },
    )


_DESCRIBE = {
    Rule.SUBMITTED: _submitted,
    Rule.RETURNED: _returned,
    Rule.TARGET_DUE: _target_due,
    Rule.REVIEW_OVERDUE: _review_overdue,
    Rule.REVIEW_ESCALATED: _review_escalated,
    Rule.RETURN_UNFIXED: _return_unfixed,
    Rule.COORGANISER_UNANSWERED: _coorganiser_unanswered,
    Rule.PHASE_DEADLINE: _phase_deadline,
    Rule.WEEKLY_DIGEST: _weekly_digest,
    Rule.FOLLOW_UP_REQUIRED: _follow_up_required,
    Rule.FOLLOW_UP_REPORTED: _follow_up_reported,
    Rule.FOLLOW_UP_SENT_BACK: _follow_up_sent_back,
    Rule.FOLLOW_UP_OVERDUE: _follow_up_overdue,
    Rule.COMMITMENTS_SUBMITTED: _commitments_submitted,
    Rule.COMMITMENTS_RETURNED: _commitments_returned,
    Rule.FULFILMENT_SUBMITTED: _fulfilment_submitted,
    Rule.FULFILMENT_RETURNED: _fulfilment_returned,
    Rule.COMMITMENT_OVERDUE: _commitment_overdue,
    Rule.ADJUSTMENT_SUBMITTED: _adjustment_submitted,
    Rule.ADJUSTMENT_APPROVED: _adjustment_approved,
    Rule.ADJUSTMENT_RETURNED: _adjustment_returned,
    Rule.SNAPSHOT_PUBLISHED: _snapshot_published,
    Rule.SCORE_OBJECTION_FILED: _score_objection_filed,
    Rule.SCORE_OBJECTION_ANSWERED: _score_objection_answered,
    Rule.SNAPSHOT_WINDOW_CLOSING: _snapshot_window_closing,
    Rule.HONOUR_WAITING: _honour_waiting,
    Rule.HONOUR_DECLINED: _honour_declined,
    Rule.HONOUR_WINDOW_CLOSING: _honour_window_closing,
    Rule.SHORTLIST_PUBLISHED: _shortlist_published,
    Rule.HONOUR_OBJECTION_SENT: _honour_objection_sent,
    Rule.HONOUR_NOTICE_UNANSWERED: _honour_notice_unanswered,
    Rule.HONOUR_COMMENDED: _honour_commended,
}


def describe(notification: Notification) -> Description:
    """The title and text of a notification, in the active language."""
    context = notification.context if isinstance(notification.context, dict) else {}
    build = _DESCRIBE.get(notification.rule)
    if build is None:
        return Description(str(notification.get_rule_display()), "")
    return build(context)
