from django import forms
from django.utils.translation import gettext_lazy as _

from evaluations.models import (
    COMMENT_MAX_LENGTH,
    FOLLOW_UP_REPORT_MAX_LENGTH,
    REMARK_MAX_LENGTH,
    Grade,
    Verdict,
)


class RatingForm(forms.Form):
    verdict = forms.TypedChoiceField(
        label=_("How satisfied are you with this unit's service?"),
        choices=Verdict.choices,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose one of the three answers.")},
    )
    remark = forms.CharField(
        label=_("Remark (optional)"),
        required=False,
        max_length=REMARK_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": REMARK_MAX_LENGTH}),
    )


class HideRemarkForm(forms.Form):
    reason = forms.CharField(label=_("Reason for hiding"), max_length=200)


# --- Leader comments and follow-ups -------------------------------------------------------------


class CommentForm(forms.Form):
    """A leader's comment on a unit: the campaign, what it is about, the text, a grade and,
    optionally, a follow-up with a due date. The choices are the unit's (set by the view)."""

    UNIT, TASK, ACTIVITY = "unit", "task", "activity"

    campaign = forms.ModelChoiceField(label=_("Campaign"), queryset=None, empty_label=None)
    subject = forms.ChoiceField(
        label=_("About"),
        choices=[
            (UNIT, _("The unit as a whole")),
            (TASK, _("A task")),
            (ACTIVITY, _("An activity")),
        ],
        initial=UNIT,
        widget=forms.RadioSelect,
    )
    task = forms.ModelChoiceField(label=_("Task"), queryset=None, required=False)
    activity = forms.ModelChoiceField(label=_("Activity"), queryset=None, required=False)
    text = forms.CharField(
        label=_("Comment"),
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": COMMENT_MAX_LENGTH}),
        error_messages={"required": _("Write the comment.")},
    )
    grade = forms.TypedChoiceField(
        label=_("Grade (optional)"),
        choices=[("", "—"), *Grade.choices],
        coerce=int,
        required=False,
        empty_value=None,
    )
    require_follow_up = forms.BooleanField(label=_("Require a follow-up"), required=False)
    due_on = forms.DateField(
        label=_("Follow-up due"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, campaigns, tasks, activities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaigns
        self.fields["task"].queryset = tasks
        self.fields["activity"].queryset = activities
        self.fields["task"].label_from_instance = lambda t: f"{t.campaign.name} · {t.title}"
        self.fields["activity"].label_from_instance = lambda a: (
            f"{a.starts_on:%Y-%m-%d} · {a.title}"
        )

    def clean(self):
        data = super().clean()
        subject = data.get("subject")
        if subject == self.TASK and not data.get("task"):
            self.add_error("task", _("Choose the task the comment is about."))
        if subject == self.ACTIVITY and not data.get("activity"):
            self.add_error("activity", _("Choose the activity the comment is about."))
        if subject != self.TASK:
            data["task"] = None
        if subject != self.ACTIVITY:
            data["activity"] = None
        if data.get("require_follow_up") and not data.get("due_on"):
            self.add_error("due_on", _("Give the date the follow-up is due."))
        if not data.get("require_follow_up"):
            data["due_on"] = None
        return data


class FollowUpReportForm(forms.Form):
    text = forms.CharField(
        label=_("What was done"),
        max_length=FOLLOW_UP_REPORT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": FOLLOW_UP_REPORT_MAX_LENGTH}),
        error_messages={"required": _("Say what was done.")},
    )
    activities = forms.ModelMultipleChoiceField(
        label=_("Approved activities that did it (optional)"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, activities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["activities"].queryset = activities
        self.fields["activities"].label_from_instance = lambda a: (
            f"{a.starts_on:%Y-%m-%d} · {a.title}"
        )


class SendBackForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for sending back"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 2000}),
        error_messages={"required": _("Say why the follow-up is sent back.")},
    )
