from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Field, Layout, Row
from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from campaigns.importing import TARGET_COLUMNS
from campaigns.models import Campaign, Phase, TargetTask
from units.forms import UnitChoiceField
from units.importing import ImportFileError, read_table
from units.models import KIND_LINES, Unit, UnitKind


def _helper() -> FormHelper:
    # The templates draw the <form> tag themselves (csrf, buttons).
    helper = FormHelper()
    helper.form_tag = False
    return helper


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def _date_widgets(*names: str) -> dict:
    return {name: DateInput() for name in names}


class CampaignForm(forms.ModelForm):
    """A campaign's own fields; creating one also asks for its organising unit."""

    class Meta:
        model = Campaign
        fields = [
            "name",
            "starts_on",
            "ends_on",
            "review_deadline_days",
            "review_levels",
            "evidence_required",
            "is_active",
        ]
        widgets = _date_widgets("starts_on", "ends_on")

    def __init__(self, *args, units: QuerySet[Unit] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["unit"] = UnitChoiceField(
                queryset=units,
                label=_("Organising unit"),
                help_text=_("The campaign covers this unit and every unit below it."),
            )
            self.order_fields(["unit", *self.Meta.fields])
        self.helper = _helper()


class PhaseForm(forms.ModelForm):
    class Meta:
        model = Phase
        fields = ["name", "starts_on", "deadline", "description"]
        widgets = {
            **_date_widgets("starts_on", "deadline"),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class TaskForm(forms.ModelForm):
    class Meta:
        model = TargetTask
        fields = [
            "code",
            "line",
            "title",
            "programme",
            "description",
            "metric",
            "quantity_label",
            "is_required",
            "sort_order",
            "is_active",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quantity_label"].help_text = _(
            "Only for the metric “Quantity”: what it counts, e.g. households or 10,000 yuan."
        )
        self.helper = _helper()
        self.helper.layout = Layout(
            Row(
                Column("code", css_class="col-6 col-md-4"),
                Column("line", css_class="col-6 col-md-4"),
                Column("sort_order", css_class="col-12 col-md-4"),
            ),
            "title",
            "programme",
            "description",
            Row(
                Column("metric", css_class="col-md-6"),
                Column("quantity_label", css_class="col-md-6"),
            ),
            "is_required",
            "is_active",
        )


class _TargetValueForm(forms.Form):
    value = forms.DecimalField(
        label=_("Target value"), min_value=0, max_digits=12, decimal_places=2
    )
    due_on = forms.DateField(label=_("Due on"), widget=DateInput())


class TargetAssignForm(_TargetValueForm):
    """One task's target for every unit of some kinds in a subtree."""

    root = UnitChoiceField(
        queryset=Unit.objects.none(),
        label=_("Units below"),
        help_text=_("The target goes to the units of the chosen kinds in this unit's subtree."),
    )
    kinds = forms.MultipleChoiceField(
        label=_("Unit kinds"), choices=UnitKind.choices, widget=forms.CheckboxSelectMultiple
    )
    replace_overrides = forms.BooleanField(
        label=_("Replace the values set per unit"),
        required=False,
        help_text=_("Otherwise a target set for one unit by hand, or imported, is kept."),
    )
    field_order = ["root", "kinds", "value", "due_on", "replace_overrides"]

    def __init__(self, *args, task: TargetTask, roots: QuerySet[Unit], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["root"].queryset = roots
        self.fields["kinds"].initial = [k for k, line in KIND_LINES.items() if line == task.line]
        self.fields["due_on"].initial = task.campaign.ends_on
        self.helper = _helper()
        self.helper.layout = Layout(
            "root",
            # Nine short kind names sit in columns (app.css) instead of a tall single list.
            Field("kinds", wrapper_class="kinds-choices"),
            Row(
                Column("value", css_class="col-6"),
                Column("due_on", css_class="col-6"),
            ),
            "replace_overrides",
        )


class TaskChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: TargetTask) -> str:
        return f"{obj.campaign.name} · {obj.code} {obj.title}"


class TargetSetForm(_TargetValueForm):
    """One unit's target for one task, set by hand."""

    task = TaskChoiceField(queryset=TargetTask.objects.none(), label=_("Task"))
    field_order = ["task", "value", "due_on"]

    def __init__(self, *args, tasks: QuerySet[TargetTask], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["task"].queryset = tasks
        self.helper = _helper()


class TargetImportForm(forms.Form):
    """The file; a valid form has its rows in cleaned_data["rows"]."""

    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "An .xlsx workbook (or .csv) with the columns 单位代码, 任务代码, 指标值 and 截止日期: "
            "start from the export."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()

    def clean(self) -> dict:
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload is None:
            return cleaned
        try:
            cleaned["rows"] = read_table(
                upload,
                filename=upload.name,
                columns=TARGET_COLUMNS,
                max_bytes=settings.IMPORT_MAX_BYTES,
            )
        except ImportFileError as exc:
            self.add_error("file", str(exc))
        return cleaned
