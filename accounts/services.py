import secrets

from django.contrib.auth.forms import PasswordResetForm
from django.db import transaction

from accounts.models import User


@transaction.atomic
def user_update_profile(*, user: User, fields: dict) -> User:
    for name, value in fields.items():
        setattr(user, name, value)
    user.full_clean()
    user.save(update_fields=list(fields))
    return user


@transaction.atomic
def user_set_language(*, user: User, language: str) -> User:
    user.language = language
    user.full_clean()
    user.save(update_fields=["language"])
    return user


class _InviteForm(PasswordResetForm):
    """Django's password-reset mail, sent to one given user rather than to every account that
    shares the email address."""

    def __init__(self, user: User):
        super().__init__({"email": user.email})
        self.invited = user

    def get_users(self, email: str):
        yield self.invited


@transaction.atomic
def user_invite(*, username: str, name: str, email: str, domain: str, use_https: bool) -> User:
    """Create an account with a random password and email the new user a link to set their own.

    The mail leaves once the transaction commits, so a caller that rolls back sends nothing."""
    user = User(username=username, name=name, email=email)
    user.set_password(secrets.token_urlsafe(32))
    user.full_clean()
    user.save()
    form = _InviteForm(user)
    form.is_valid()
    transaction.on_commit(
        lambda: form.save(
            domain_override=domain,
            use_https=use_https,
            subject_template_name="emails/password_reset_subject.txt",
            email_template_name="emails/password_reset.txt",
            html_email_template_name="emails/password_reset.html",
        )
    )
    return user
