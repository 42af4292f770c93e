from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign, TargetTask
from evaluations.models import PROMISE_MAX_LENGTH


class CommitmentForm(forms.Form):
    """One item of a set; the services check every rule again (dates, task)."""

    promise = forms.CharField(
        label=_("What is promised"),
        max_length=PROMISE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": PROMISE_MAX_LENGTH}),
        error_messages={"required": _("Say what is promised.")},
    )
    measure = forms.CharField(
        label=_("How it is measured"),
        max_length=PROMISE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": PROMISE_MAX_LENGTH}),
        error_messages={"required": _("Say how the commitment will be measured.")},
    )
    due_on = forms.DateField(
        label=_("Due on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": _("Give a due date."), "invalid": _("Enter a valid date.")},
    )
    task = forms.ModelChoiceField(
        label=_("Target task it serves (optional)"),
        queryset=TargetTask.objects.none(),
        required=False,
    )

    def __init__(self, *args, campaign: Campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["task"].queryset = campaign.tasks.filter(is_active=True).order_by(
            "line", "sort_order", "code"
        )
        self.fields["due_on"].help_text = _("Between %(start)s and %(end)s.") % {
            "start": campaign.starts_on.isoformat(),
            "end": campaign.ends_on.isoformat(),
        }
        self.fields["due_on"].widget.attrs.update(
            min=campaign.starts_on.isoformat(), max=campaign.ends_on.isoformat()
        )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for return"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Say why: a reason is required.")},
    )
