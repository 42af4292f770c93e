from decimal import Decimal

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from evaluations.models import REASON_MAX_LENGTH


class AdjustmentForm(forms.Form):
    """A bonus or deduction item; the services check every rule again (sign, who, reason)."""

    points = forms.DecimalField(
        label=_("Points"),
        max_digits=5,
        decimal_places=2,
        error_messages={"required": _("Give the points."), "invalid": _("Enter a number.")},
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": REASON_MAX_LENGTH}),
        error_messages={"required": _("Say why: a reason is required.")},
    )

    def __init__(self, *args, deduction: bool = False, most: Decimal | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        help_text = (
            _("A deduction: a negative number, e.g. -2.")
            if deduction
            else _("A bonus: a positive number, e.g. 2.")
        )
        if most:
            help_text += " " + _("At most %(most)s either way.") % {"most": f"{most.normalize():f}"}
        self.fields["points"].help_text = help_text
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
