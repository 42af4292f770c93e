"""Forms of honours: a round, a quota, an application with its registration form (登记表), a
recommendation and a decline. The services check every rule again."""

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from evaluations.models import CASE_MAX_LENGTH, SUMMARY_MAX_LENGTH, HonourCategory, HonourKind
from units.models import Unit, UnitKind


def _helper() -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    return helper


class RoundForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=100)
    opens_on = forms.DateField(
        label=_("Applications open on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    closes_on = forms.DateField(
        label=_("Applications close on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    publicity_days = forms.IntegerField(
        label=_("Notice period (working days)"), min_value=1, max_value=30, initial=5
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class QuotaForm(forms.Form):
    category = forms.ModelChoiceField(
        label=_("Honour"), queryset=HonourCategory.objects.filter(is_active=True)
    )
    unit_kind = forms.ChoiceField(
        label=_("Recommending units of the kind"),
        choices=[("", _("— any kind —")), *UnitKind.choices],
        required=False,
    )
    unit = forms.ModelChoiceField(
        label=_("Or one recommending unit"), queryset=Unit.objects.none(), required=False
    )
    count = forms.IntegerField(label=_("Quota"), min_value=0, max_value=999)

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["unit"].queryset = units
        self.helper = _helper()


GENDERS = [("", "—"), ("male", _("Male")), ("female", _("Female"))]
POLITICAL_STATUSES = [
    ("", "—"),
    ("party_member", _("Communist Party member")),
    ("probationary_member", _("Probationary Party member")),
    ("league_member", _("Youth League member")),
    ("masses", _("The masses (no affiliation)")),
    ("other", _("Other")),
]


class ApplicationForm(forms.Form):
    """The application and its registration form: for a person, gender, year of birth, ethnicity,
    political status, education and honours already received; for a collective, its leader, its
    number of members, the year it was founded and honours already received."""

    category = forms.ModelChoiceField(label=_("Honour"), queryset=HonourCategory.objects.none())
    person_name = forms.CharField(
        label=_("Nominee's name"),
        max_length=50,
        required=False,
        help_text=_(
            "For a person: their name. For a collective honour: leave empty for the unit itself, "
            "or name the team, workshop or family under it."
        ),
    )
    person_post = forms.CharField(label=_("Post"), max_length=100, required=False)
    gender = forms.ChoiceField(label=_("Gender"), choices=GENDERS, required=False)
    birth_year = forms.IntegerField(
        label=_("Year of birth"), min_value=1900, max_value=2100, required=False
    )
    ethnicity = forms.CharField(label=_("Ethnicity"), max_length=20, required=False)
    political_status = forms.ChoiceField(
        label=_("Political status"), choices=POLITICAL_STATUSES, required=False
    )
    education = forms.CharField(label=_("Education"), max_length=50, required=False)
    leader = forms.CharField(label=_("Leader of the collective"), max_length=50, required=False)
    members = forms.IntegerField(
        label=_("Number of members"), min_value=1, max_value=1000000, required=False
    )
    established = forms.IntegerField(
        label=_("Year founded"), min_value=1900, max_value=2100, required=False
    )
    prior_honours = forms.CharField(
        label=_("Honours already received"),
        max_length=200,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 200}),
    )
    case = forms.CharField(
        label=_("Case (事迹材料)"),
        max_length=CASE_MAX_LENGTH,
        required=False,
        help_text=_("About 1,500 characters; at most 3,000."),
        widget=forms.Textarea(attrs={"rows": 12, "maxlength": CASE_MAX_LENGTH}),
    )
    summary = forms.CharField(
        label=_("Summary for the honour roll"),
        max_length=SUMMARY_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": SUMMARY_MAX_LENGTH}),
    )

    REGISTRATION = (
        "gender",
        "birth_year",
        "ethnicity",
        "political_status",
        "education",
        "leader",
        "members",
        "established",
        "prior_honours",
    )

    def __init__(self, *args, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = HonourCategory.objects.filter(
            pk__in=[c.pk for c in categories]
        ).order_by("sort_order", "code")
        self.helper = _helper()

    def clean(self):
        cleaned = super().clean()
        category = cleaned.get("category")
        if category is not None and category.kind == HonourKind.INDIVIDUAL:
            for name in ("person_name", "person_post"):
                if not cleaned.get(name):
                    self.add_error(name, _("Required for a person's honour."))
        return cleaned

    def registration(self) -> dict[str, str]:
        return {
            name: str(self.cleaned_data[name])
            for name in self.REGISTRATION
            if self.cleaned_data.get(name) not in (None, "")
        }

    def application_data(self) -> dict:
        data = self.cleaned_data
        return {
            "category": data["category"],
            "person_name": data["person_name"],
            "person_post": data["person_post"],
            "registration": self.registration(),
            "case": data["case"],
            "summary": data["summary"],
        }


class RecommendForm(forms.Form):
    rank = forms.IntegerField(
        label=_("Rank among this level's recommendations"),
        min_value=1,
        max_value=999,
        required=False,
    )
    reason = forms.CharField(label=_("Note (optional)"), max_length=2000, required=False)


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for declining"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Say why: a reason is required.")},
    )
