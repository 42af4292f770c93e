from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Field, Fieldset, Layout, Row
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from activities.models import PARTICIPANT_FIELDS, Activity
from activities.services import DRAFT_FIELDS, date_outside_campaign
from campaigns.models import Campaign, TargetTask
from units.models import Unit


class TaskChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: TargetTask) -> str:
        programme = f" · {obj.programme}" if obj.programme else ""
        return f"{obj.title}{programme} ({obj.metric_label})"


class UnitMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        return f"{obj.name} ({obj.code})"


class ActivityForm(forms.ModelForm):
    """A draft's own fields; the campaign, unit and workflow fields are set by the services.

    `tasks` offers only the tasks the unit has targets for and `coorganisers` only the units the
    rules allow; the services check both again."""

    coorganisers = UnitMultipleChoiceField(
        queryset=Unit.objects.none(),
        required=False,
        label=_("Co-organisers"),
        help_text=_(
            "Other units that organised it with you: each one's staff is asked to confirm."
        ),
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Activity
        fields = [*DRAFT_FIELDS, "tasks"]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 4}),
            "outcome": forms.Textarea(attrs={"rows": 3}),
            "tasks": forms.CheckboxSelectMultiple,
        }
        field_classes = {"tasks": TaskChoiceField}

    def __init__(
        self,
        *args,
        tasks: QuerySet[TargetTask],
        coorganisers: QuerySet[Unit],
        campaign: Campaign,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        # The browser's date picker offers only the campaign's days; a date typed outside them
        # is marked on the field itself (clean_starts_on), in the services' words.
        for name in ("starts_on", "ends_on"):
            self.fields[name].widget.attrs["min"] = campaign.starts_on.isoformat()
        self.fields["starts_on"].widget.attrs["max"] = campaign.ends_on.isoformat()
        self.fields["starts_on"].help_text = _("Within the campaign: %(start)s – %(end)s.") % {
            "start": campaign.starts_on.isoformat(),
            "end": campaign.ends_on.isoformat(),
        }
        self.fields["tasks"].queryset = tasks
        self.fields["tasks"].help_text = _(
            "The target tasks it counts toward: only those your unit has targets for."
        )
        self.fields["coorganisers"].queryset = coorganisers
        if self.instance.pk:
            self.initial["coorganisers"] = [
                c.unit_id for c in self.instance.coorganisers.all() if c.unit_id
            ]
        self.fields["ends_on"].label = _("Until (optional)")
        for name in PARTICIPANT_FIELDS.values():
            self.fields[name].widget.attrs["min"] = 0
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the page's <form> carries the one token
        self.helper.layout = Layout(
            "title",
            Row(
                Column(Field("starts_on"), css_class="col-6 col-md-4"),
                Column(Field("ends_on"), css_class="col-6 col-md-4"),
                Column(Field("place"), css_class="col-12 col-md-4"),
            ),
            "tasks",
            Fieldset(
                _("Participants by group"),
                Row(
                    *(
                        Column(Field(name), css_class="col-6 col-sm-4 col-lg")
                        for name in PARTICIPANT_FIELDS.values()
                    ),
                    css_class="participants-row",
                ),
            ),
            Row(Column(Field("quantity"), css_class="col-12 col-md-4")),
            "description",
            "outcome",
            # A long list of units scrolls in its own box (app.css) rather than stretching the form.
            Field("coorganisers", wrapper_class="coorganiser-choices"),
        )

    def clean_starts_on(self):
        day = self.cleaned_data["starts_on"]
        outside = date_outside_campaign(self.campaign, day)
        if outside:
            raise forms.ValidationError(outside, code="outside_campaign")
        return day

    def clean_title(self) -> str:
        return self.cleaned_data["title"].strip()

    def data_fields(self) -> dict:
        """The cleaned values the services take as `data`."""
        return {name: self.cleaned_data[name] for name in DRAFT_FIELDS}
