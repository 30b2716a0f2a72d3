import logging

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.forms import PasswordChangeForm as DjangoPasswordChangeForm
from django.contrib.auth.forms import PasswordResetForm as DjangoPasswordResetForm
from django.contrib.auth.forms import SetPasswordForm as DjangoSetPasswordForm

from partnerships.fields import ModelMultipleChoiceField
from partnerships.models import BespokeSupportProject, Partnership

from . import services
from .models import Role

logger = logging.getLogger(__name__)


class SignInForm(AuthenticationForm):
    username = forms.EmailField(
        label="E-mail address",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    error_messages = {
        "invalid_login": "Enter a correct e-mail address and password.",
        "inactive": "This account has been deactivated.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].error_messages["required"] = "Enter your e-mail address."
        self.fields["password"].error_messages["required"] = "Enter your password."
        self.helper = FormHelper()
        self.helper.attrs = {"novalidate": ""}
        self.helper.add_input(Submit("submit", "Sign in"))


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label="E-mail address",
        error_messages={
            "required": "Enter the e-mail address of the person to invite.",
            "invalid": "Enter an e-mail address in the correct format, like name@example.org.",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    full_name = forms.CharField(
        label="Full name",
        max_length=200,
        error_messages={"required": "Enter the person's full name."},
    )
    job_title = forms.CharField(label="Job title (optional)", max_length=200, required=False)
    role = forms.ChoiceField(
        label="Role",
        choices=Role.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the person's role."},
    )
    partnership = forms.ModelChoiceField(
        label="Partnership (for local leads)",
        queryset=Partnership.objects.order_by("name"),
        required=False,
        empty_label="Select a partnership",
    )
    bsps = ModelMultipleChoiceField(
        label="BSPs to assign them to (for delivery partners, optional)",
        queryset=BespokeSupportProject.objects.order_by("local_area"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.attrs = {"novalidate": ""}
        self.helper.add_input(Submit("submit", "Send the invitation"))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("role") == Role.LOCAL_LEAD and not cleaned.get("partnership"):
            self.add_error("partnership", "Select the partnership of the local lead.")
        return cleaned


class SetPasswordForm(DjangoSetPasswordForm):
    """Choose a password (twice), checked by the password validators in the settings."""

    submit_label = "Set password and sign in"
    error_messages = {
        **DjangoSetPasswordForm.error_messages,
        "password_mismatch": "The two passwords do not match.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = "Password"
        self.fields["new_password2"].label = "Confirm the password"
        self.fields["new_password1"].error_messages["required"] = "Enter a password."
        self.fields["new_password2"].error_messages["required"] = "Enter the password again."
        self.helper = FormHelper()
        self.helper.attrs = {"novalidate": ""}
        self.helper.add_input(Submit("submit", self.submit_label))


class NewPasswordForm(SetPasswordForm):
    """The new password of someone who followed a forgotten-password link."""

    submit_label = "Change my password"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = "New password"
        self.fields["new_password2"].label = "Confirm the new password"


class ChangePasswordForm(DjangoPasswordChangeForm):
    """Change the password of the signed-in person: the current one, then the new one twice."""

    error_messages = {
        **DjangoPasswordChangeForm.error_messages,
        "password_incorrect": "Your current password is not right. Enter it again.",
        "password_mismatch": "The two new passwords do not match.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        labels_and_messages = {
            "old_password": ("Your current password", "Enter your current password."),
            "new_password1": ("New password", "Enter a new password."),
            "new_password2": ("Confirm the new password", "Enter the new password again."),
        }
        for name, (label, required) in labels_and_messages.items():
            self.fields[name].label = label
            self.fields[name].error_messages["required"] = required
        self.fields["old_password"].widget.attrs.pop("autofocus", None)
        self.helper = FormHelper()
        self.helper.attrs = {"novalidate": ""}
        self.helper.add_input(Submit("submit", "Change my password"))


class PasswordResetForm(DjangoPasswordResetForm):
    """Ask for a forgotten-password link.

    Django's form sends nothing to an unknown address, an inactive account or one without a
    usable password (someone invited who has not chosen one yet), and the page that follows is the
    same either way. On top of that, an address gets at most a few e-mails an hour.
    """

    email = forms.EmailField(
        label="E-mail address",
        max_length=254,
        error_messages={
            "required": "Enter your e-mail address.",
            "invalid": "Enter an e-mail address in the correct format, like name@example.org.",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.attrs = {"novalidate": ""}
        self.helper.add_input(Submit("submit", "Send me a link"))
        self.outbox = []  # the e-mails to send once the page has been sent (see send_later)

    def send_mail(self, *args, **kwargs):
        """Keep Django's e-mail for ``send_later``: sent during the request, a slow mail server
        would make the page slower for an address with an account, telling who has one."""
        self.outbox.append((args, kwargs))

    def send_later(self):
        """Send what ``save()`` prepared, as Django does (a failure is logged, never shown)."""
        outbox, self.outbox = self.outbox, []
        for args, kwargs in outbox:
            super().send_mail(*args, **kwargs)

    def get_users(self, email):
        for user in super().get_users(email):
            if services.allow_password_reset_email(user.email):
                yield user
            else:
                logger.warning(
                    "No password reset e-mail to user %s: %d sent in the last hour already",
                    user.pk,
                    services.PASSWORD_RESET_EMAILS_PER_HOUR,
                )
