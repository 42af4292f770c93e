from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from units.importing import ImportFileError, read_table


class ImportForm(forms.Form):
    """What to import and the file; a valid form has the file's rows in cleaned_data["rows"]."""

    KIND_CHOICES = [
        ("units", _("Units")),
        ("members", _("Users and their roles")),
    ]

    kind = forms.ChoiceField(label=_("Import"), choices=KIND_CHOICES, widget=forms.RadioSelect)
    file = forms.FileField(
        label=_("File"),
        help_text=_("An .xlsx workbook or a .csv file (UTF-8 or GB18030), with a header row."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def clean(self) -> dict:
        cleaned = super().clean()
        upload = cleaned.get("file")
        kind = cleaned.get("kind")
        if upload is None or kind is None:
            return cleaned
        try:
            cleaned["rows"] = read_table(
                upload, filename=upload.name, kind=kind, max_bytes=settings.IMPORT_MAX_BYTES
            )
        except ImportFileError as exc:
            self.add_error("file", str(exc))
        return cleaned
