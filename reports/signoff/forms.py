"""Forms of the review, sign-off, countersign, publish and withdraw pages."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Field, Layout
from django import forms

from ..authoring.forms import PLAIN_TEXT_BOX_HINT, RichTextField, autosave_attrs
from ..form_layout import submit_helper
from ..models import Signature
from .services import CONFIRM_IDENTIFIABILITY


def _helper(action: str, button: str, css_class: str = "btn btn-primary") -> FormHelper:
    return submit_helper(button, action=action, css_class=css_class)


class SectionCommentForm(forms.Form):
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "data-keep-text": ""}),
        error_messages={"required": "Enter your comment"},
    )

    def __init__(self, *args, section_heading: str, action: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].label = f"Your comment on “{section_heading}”"
        self.helper = _helper(action, "Add comment", "btn btn-secondary")


class ReflectionsForm(forms.Form):
    """The local area's "Immediate reflections", in the section editor, saved as you type (unless
    ``autosave`` is False: the form that resolves a conflict is saved on purpose only).
    ``based_on_version`` travels with every save (see `services.write_local_reflections`)."""

    body = RichTextField(
        label="The local area's reflections",
        required=False,
        help_text="The local area's own reflections on the project, in its own words.",
    )
    based_on_version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    prefix = "reflections"

    def __init__(
        self, *args, action: str, button: str = "Save reflections", autosave=True, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.helper = _helper(action, button, "btn btn-secondary")
        self.helper.attrs["id"] = "reflections-form"
        if autosave:
            # The view answers an autosave with the review page's "reflections-save-status"
            # partial.
            self.helper.attrs.update(autosave_attrs(action, status_id="reflections-save-status"))
        self.helper.layout = Layout(
            Field("body", css_class="section-editor-text"),
            HTML(PLAIN_TEXT_BOX_HINT),
            "based_on_version",
        )

    def clean(self):
        cleaned = super().clean()
        # Only a hand-made or truncated request lacks the version: say so, not "field required".
        if self.errors.pop("based_on_version", None):
            self.add_error(
                None, "The form was incomplete, so nothing was saved: reload the page and try again"
            )
        return cleaned


class RequestChangesForm(forms.Form):
    comment = forms.CharField(
        label="What needs to change",
        widget=forms.Textarea(attrs={"rows": 4, "data-keep-text": ""}),
        help_text="This goes to the authors with your comments on sections.",
        error_messages={"required": "Say what needs to change"},
    )

    def __init__(self, *args, action: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(action, "Request changes", "btn btn-secondary")


class SignatureForm(forms.Form):
    """A typed signature: full name and role. The date is the server's."""

    full_name = forms.CharField(
        label="Your full name",
        max_length=200,
        help_text="Typing your name is your signature.",
        error_messages={"required": "Enter your full name"},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    role = forms.CharField(
        label="Your role",
        max_length=200,
        error_messages={"required": "Enter your role"},
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
    )
    submit_label = ""

    def __init__(self, *args, action: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(action, self.submit_label)


CONSENT_QUESTION = (
    "Does the local area agree to share this Project Learning Report on the TCE Support "
    "Programme's microsite for other local areas?"
)


class SignOffForm(SignatureForm):
    """The local area's signature and its answer to the template's consent question, as a clear
    yes or no with what follows from each; a "no" says why (kept private)."""

    consent = forms.TypedChoiceField(
        label=CONSENT_QUESTION,
        choices=[
            (
                "yes",
                "Yes: once the TCE project lead has countersigned it, it is published on the "
                "microsite, where anyone can read it",
            ),
            (
                "no",
                "No: it is signed off but not published. The local area can give its consent later",
            ),
        ],
        coerce=lambda answer: answer == "yes",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select yes if the local area agrees to share the report, or no if it "
            "does not",
        },
    )
    consent_reason = forms.CharField(
        label="Why the local area does not agree (if it does not)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "data-keep-text": ""}),
        help_text="Kept private: the programme team and the local area see it in the report's "
        "history, never the public.",
    )
    checked_identifiability = forms.BooleanField(
        label=Signature.IDENTIFIABILITY_CONFIRMATION,
        help_text="Read the findings of the safeguarding check on the review page, and the "
        "authors' reasons for those they dismissed.",
        error_messages={"required": CONFIRM_IDENTIFIABILITY},
    )
    seen_hash = forms.CharField(widget=forms.HiddenInput)
    field_order = [
        "consent",
        "consent_reason",
        "checked_identifiability",
        "full_name",
        "role",
        "seen_hash",
    ]
    submit_label = "Sign off the report"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].help_text = "For example, MACE Strategic Chair."

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("consent") is False and not cleaned.get("consent_reason", "").strip():
            self.add_error(
                "consent_reason", "Say why the local area does not agree to share the report"
            )
        return cleaned


class CountersignForm(SignatureForm):
    submit_label = "Countersign the report"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].initial = "TCE Project Lead"


class PublishForm(forms.Form):
    """Publishing; for a new edition of a report published before, what changed (public)."""

    change_note = forms.CharField(
        label="What changed since the last edition",
        widget=forms.Textarea(attrs={"rows": 3, "data-keep-text": ""}),
        help_text="Readers see this with the report, under the date of this edition, e.g. "
        "“Corrected the number of young people supported in the key issues.”",
        error_messages={"required": "Say what changed since the last edition"},
        max_length=1000,
    )

    def __init__(self, *args, action: str, new_edition: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not new_edition:
            del self.fields["change_note"]
        self.helper = _helper(action, "Publish on the microsite")


class ReviseForm(forms.Form):
    reason = forms.CharField(
        label="What needs correcting or updating",
        widget=forms.Textarea(attrs={"rows": 4, "data-keep-text": ""}),
        help_text="Kept in the audit log and e-mailed to the authors. The public does not see it.",
        error_messages={"required": "Enter what needs correcting or updating"},
    )

    def __init__(self, *args, action: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(action, "Start a revision")


class GiveConsentForm(SignatureForm):
    submit_label = "Agree to publication and sign"
    field_order = ["agree", "full_name", "role"]

    agree = forms.BooleanField(
        label="The local area agrees to share this Project Learning Report on the TCE Support "
        "Programme's microsite for other local areas",
        error_messages={"required": "Tick the box to agree to publication"},
    )


class WithdrawConsentForm(forms.Form):
    reason = forms.CharField(
        label="Why the local area withdraws its agreement",
        widget=forms.Textarea(attrs={"rows": 4, "data-keep-text": ""}),
        help_text="Kept private, in the audit log. The report's public page says only that the "
        "local area asked for it to be taken down.",
        error_messages={"required": "Enter why the local area withdraws its agreement"},
    )

    def __init__(self, *args, action: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(action, "Withdraw agreement to publication", "btn btn-danger")


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label="Reason for withdrawing the report",
        widget=forms.Textarea(attrs={"rows": 4, "data-keep-text": ""}),
        help_text="The public sees this reason and the date on the report's page.",
        error_messages={"required": "Enter the reason for withdrawing the report"},
    )

    def __init__(self, *args, action: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(action, "Withdraw from the microsite", "btn btn-danger")


class TakeDownForm(forms.Form):
    """Take down now for sensitive personal data (``reports.safeguarding.takedown``): a private
    reason and a confirmation, since its files are deleted."""

    reason = forms.CharField(
        label="Why are you taking it down?",
        widget=forms.Textarea(attrs={"rows": 4, "data-keep-text": ""}),
        help_text=(
            "Private: kept in the report's audit log with your name and the time. Say what the "
            "sensitive data is and where, without copying it here."
        ),
        error_messages={"required": "Enter why you are taking the report down"},
    )
    confirm = forms.BooleanField(
        label=(
            "I understand that the report leaves the microsite at once and that its PDFs and the "
            "compendiums that hold it are deleted"
        ),
        error_messages={"required": "Tick the box to confirm that you want to take it down now"},
    )

    def __init__(self, *args, action: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(action, "Take down now", "btn btn-danger")


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label="What needs revising",
        widget=forms.Textarea(attrs={"rows": 4, "data-keep-text": ""}),
        help_text="The authors and the local area are e-mailed this; it is kept in the audit log.",
        error_messages={"required": "Enter what needs revising"},
    )

    def __init__(self, *args, action: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(action, "Re-open for revision")


class SendSignoffLinkForm(forms.Form):
    full_name = forms.CharField(
        label="Local lead's full name",
        max_length=200,
        error_messages={"required": "Enter the local lead's full name"},
    )
    email = forms.EmailField(
        label="Local lead's e-mail address",
        error_messages={
            "required": "Enter the local lead's e-mail address",
            "invalid": "Enter an e-mail address in the correct format, like name@example.org",
        },
    )
    job_title = forms.CharField(label="Their role (optional)", max_length=200, required=False)

    def __init__(self, *args, action: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(action, "Send the sign-off link")
