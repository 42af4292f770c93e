from django import forms
from django.utils.translation import gettext_lazy as _

from evaluations.models import OBJECTION_MAX_LENGTH
from evaluations.snapshot_services import ANSWER_MAX_LENGTH, MAX_WINDOW_DAYS


class PublishForm(forms.Form):
    window_days = forms.IntegerField(
        label=_("Notice period (working days)"),
        min_value=1,
        max_value=MAX_WINDOW_DAYS,
        initial=5,
        error_messages={"required": _("Give the notice period in working days.")},
    )


class ObjectionForm(forms.Form):
    reasons = forms.CharField(
        label=_("Why the result is wrong"),
        max_length=OBJECTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": OBJECTION_MAX_LENGTH}),
        error_messages={"required": _("Say why the result is wrong.")},
    )


class AnswerForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("rejected", _("Reject the objection")),
            ("upheld", _("Uphold it: take a corrected version from the records as they are now")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether the objection is upheld or rejected.")},
    )
    answer = forms.CharField(
        label=_("Answer (what was corrected, or why it is rejected)"),
        max_length=ANSWER_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": ANSWER_MAX_LENGTH}),
        error_messages={"required": _("Write the answer.")},
    )
