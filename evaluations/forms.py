from django import forms
from django.utils.translation import gettext_lazy as _

from evaluations.models import REMARK_MAX_LENGTH, Verdict


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
