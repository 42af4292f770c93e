"""The widgets of the busy filter forms (the review queue's, the activity search's): Django's own
widgets with templates of templates/jinja2/widgets/ (the markup of Django's), rendered by the
Jinja2 engine. As Django templates, each widget and each option of a select is a template
render of its own, and they cost more than all the rest of such a page's form."""

from django import forms
from django.forms.models import ModelChoiceField
from django.forms.renderers import BaseRenderer
from django.template import engines

# For a choice among ids listed per request (instead of a queryset): refusing one reads as a
# model choice's refusal did.
NOT_A_CHOICE = {"invalid_choice": ModelChoiceField.default_error_messages["invalid_choice"]}


class JinjaFormRenderer(BaseRenderer):
    """Widgets drawn by the Jinja2 engine (settings.TEMPLATES): ours, and Django's own Jinja2
    copies of its templates for the rest (a hidden input, an error list)."""

    def get_template(self, template_name):
        return engines["jinja2"].get_template(template_name)


class FilterForm(forms.Form):
    """The form of a filter set whose widgets a busy page draws (FilterSet.Meta.form)."""

    default_renderer = JinjaFormRenderer


class TextInput(forms.TextInput):
    template_name = "widgets/input.html"


class DateInput(forms.DateInput):
    template_name = "widgets/input.html"


class CheckboxInput(forms.CheckboxInput):
    template_name = "widgets/input.html"


class Select(forms.Select):
    template_name = "widgets/select.html"


def date_input() -> DateInput:
    """A Bootstrap date field that the browser's date picker fills in ISO order."""
    return DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")


def select() -> Select:
    return Select(attrs={"class": "form-select"})
