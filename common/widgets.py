"""Form widgets that write Django's markup, put together in Python: Django renders each widget,
and each option of a select, through templates of its own, which cost more than all the rest of
a busy page's filter form (the review queue's, the activity search's)."""

from django import forms
from django.forms.models import ModelChoiceField
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

# For a choice among ids listed per request (instead of a queryset): refusing one reads as a
# model choice's refusal did.
NOT_A_CHOICE = {"invalid_choice": ModelChoiceField.default_error_messages["invalid_choice"]}


def _html_attrs(attrs: dict) -> SafeString:
    """Attributes as Django's widgets/attrs.html writes them: in order, True as a bare name."""
    return mark_safe(
        "".join(
            f" {escape(name)}" if value is True else format_html(' {}="{}"', name, value)
            for name, value in attrs.items()
            if value is not False
        )
    )


class _InputMarkup:
    """Django's widgets/input.html."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        shown = "" if widget["value"] is None else format_html(' value="{}"', widget["value"])
        return format_html(
            '<input type="{}" name="{}"{}{}>',
            widget["type"],
            widget["name"],
            shown,
            _html_attrs(widget["attrs"]),
        )


class TextInput(_InputMarkup, forms.TextInput):
    pass


class DateInput(_InputMarkup, forms.DateInput):
    pass


class CheckboxInput(_InputMarkup, forms.CheckboxInput):
    pass


class Select(forms.Select):
    """Django's widgets/select.html and select_option.html."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [format_html('<select name="{}"{}>', widget["name"], _html_attrs(widget["attrs"]))]
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(format_html('\n  <optgroup label="{}">', group_name))
            for option in options:
                parts.append(
                    format_html(
                        '\n  <option value="{}"{}>{}</option>',
                        option["value"],
                        _html_attrs(option["attrs"]),
                        option["label"],
                    )
                )
            if group_name:
                parts.append(mark_safe("\n  </optgroup>"))
        parts.append(mark_safe("\n</select>"))
        return mark_safe("".join(parts))


def date_input() -> DateInput:
    """A Bootstrap date field that the browser's date picker fills in ISO order."""
    return DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")


def select() -> Select:
    return Select(attrs={"class": "form-select"})
