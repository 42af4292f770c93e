from crispy_forms.helper import FormHelper
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import User
from units.models import KIND_LINES, Role, Unit, UnitKind


def _helper() -> FormHelper:
    # The templates draw the <form> tag themselves (csrf, data-confirm, buttons).
    helper = FormHelper()
    helper.form_tag = False
    return helper


class UnitForm(forms.ModelForm):
    """A unit's own fields; where it sits in the tree is decided by create/move, not here."""

    class Meta:
        model = Unit
        fields = ["code", "name", "kind", "line", "contact_person", "contact_phone", "sort_order"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["line"].required = False
        self.fields["line"].help_text = _(
            "Follows from the kind; choose it only for the kind “Other”."
        )
        self.fields["sort_order"].help_text = _("Units under the same parent are listed by this.")
        self.helper = _helper()

    def clean(self) -> dict:
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind in KIND_LINES:
            # The kind decides; a stale line left in the form after changing the kind is ignored.
            cleaned["line"] = KIND_LINES[kind]
        elif kind == UnitKind.OTHER and not cleaned.get("line"):
            self.add_error("line", _("Choose the line of a unit of the kind “Other”."))
        return cleaned


class UnitChoiceField(forms.ModelChoiceField):
    """Units indented by their depth, so a flat <select> still reads as a tree."""

    def label_from_instance(self, obj: Unit) -> str:
        return f"{'— ' * (obj.depth - 1)}{obj.name} ({obj.code})"


class UnitMoveForm(forms.Form):
    new_parent = UnitChoiceField(queryset=Unit.objects.none(), label=_("New parent unit"))

    def __init__(self, *args, parents: QuerySet[Unit], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_parent"].queryset = parents
        self.helper = _helper()


class MemberAddForm(forms.Form):
    """Add an existing user by user name, or invite a new one (then name and email are needed)."""

    username = forms.CharField(
        label=_("User name"),
        max_length=150,
        validators=[User.username_validator],
        help_text=_("An existing user, or the user name for a new account."),
    )
    role = forms.ChoiceField(
        label=_("Role"),
        choices=Role.choices,
        help_text=_(
            "Staff report this unit's activities; a reviewer here reviews the units below it; "
            "a leader and an administrator reach this unit and every unit below."
        ),
    )
    name = forms.CharField(
        label=pgettext_lazy("a person's", "Name"), max_length=100, required=False
    )
    email = forms.EmailField(
        label=_("Email"),
        required=False,
        help_text=_("A new user gets an email with a link to set their password."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.existing_user: User | None = None
        self.helper = _helper()

    def clean(self) -> dict:
        cleaned = super().clean()
        username = cleaned.get("username")
        if not username:
            return cleaned
        self.existing_user = User.objects.filter(username=username).first()
        if self.existing_user is None:
            for field in ("name", "email"):
                if not cleaned.get(field):
                    self.add_error(field, _("Required for a new user."))
        return cleaned


class PairForm(forms.Form):
    other = UnitChoiceField(queryset=Unit.objects.none(), label=_("Paired unit"))
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, others: QuerySet[Unit], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["other"].queryset = others
        self.helper = _helper()
