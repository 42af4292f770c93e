"""Forms of the shortlist's notice (公示): the public's objection, an admin's answer, and the
decision that commends the shortlist (表彰)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from evaluations.honour_roll_services import (
    ANSWER_MAX_LENGTH,
    CONTACT_MAX_LENGTH,
    DOCUMENT_MAX_LENGTH,
    NAME_MAX_LENGTH,
)
from evaluations.models import HONOUR_OBJECTION_MAX_LENGTH


class ObjectionForm(forms.Form):
    """The public's objection: which nominee (by the notice's reference, never an id), the text,
    and, if they wish, a name and a contact."""

    nominee = forms.ChoiceField(
        label=_("Nominee"),
        choices=(),
        error_messages={
            "required": _("Choose the nominee you object to."),
            "invalid_choice": _("Choose the nominee you object to."),
        },
    )
    text = forms.CharField(
        label=_("Your objection"),
        max_length=HONOUR_OBJECTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": HONOUR_OBJECTION_MAX_LENGTH}),
        error_messages={"required": _("Write what you object to.")},
    )
    name = forms.CharField(
        label=_("Your name (optional)"), required=False, max_length=NAME_MAX_LENGTH
    )
    contact = forms.CharField(
        label=_("How to reach you (optional)"), required=False, max_length=CONTACT_MAX_LENGTH
    )

    def __init__(self, *args, entries=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nominee"].choices = [("", "—")] + [
            (entry.ref, f"{entry.application.category.name} · {entry.application.nominee}")
            for entry in entries
        ]


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Answer"),
        max_length=ANSWER_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": ANSWER_MAX_LENGTH}),
        error_messages={"required": _("Write the answer.")},
    )


class CommendForm(forms.Form):
    document_number = forms.CharField(label=_("Document number"), max_length=DOCUMENT_MAX_LENGTH)
    decided_on = forms.DateField(
        label=_("Decided on"), widget=forms.DateInput(attrs={"type": "date"})
    )
