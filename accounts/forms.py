from crispy_forms.helper import FormHelper
from django import forms
from django.contrib.auth.forms import AuthenticationForm

from accounts.models import User


class LoginForm(AuthenticationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs["autocomplete"] = "username"


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["name", "email", "phone", "language", "notification_email"]
        widgets = {"notification_email": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A form that does not send the preference (an older page) keeps the one saved.
        self.fields["notification_email"].required = False
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_notification_email(self) -> str:
        return self.cleaned_data["notification_email"] or self.instance.notification_email
