from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Field, Layout, Submit
from django import forms

from ..authoring.forms import PLAIN_TEXT_BOX_HINT, RichTextField
from ..signoff.forms import SignatureForm

CHECK_LABEL = "Check the text for anything that could identify someone"


class AddendumForm(SignatureForm):
    """An addendum and its writer's signature, sent together."""

    title = forms.CharField(
        label="Title of the addendum",
        max_length=200,
        help_text="What it is, as readers will see it under the report: for example "
        "“Six months on” or “One year on”.",
        error_messages={"required": "Enter the title of the addendum"},
    )
    body = RichTextField(
        label="What has happened since",
        help_text="Readers see it under the report, dated, with the names of who signed it. "
        "The published report itself does not change.",
        error_messages={"required": "Write the addendum"},
    )
    field_order = ["title", "body", "full_name", "role"]
    submit_label = "Sign and send the addendum"

    def __init__(self, *args, action: str, **kwargs):
        super().__init__(*args, action=action, **kwargs)
        self.helper = FormHelper()
        self.helper.form_action = action
        self.helper.attrs = {"novalidate": ""}
        self.helper.layout = Layout(
            "title",
            Field("body", css_class="section-editor-text"),
            HTML(PLAIN_TEXT_BOX_HINT),
            "full_name",
            "role",
        )
        self.helper.add_input(Submit("send", self.submit_label))
        # The safeguarding check of the text, shown on the page without sending anything.
        self.helper.add_input(
            Submit("check", CHECK_LABEL, css_class="btn btn-secondary", css_id="submit-check")
        )

    def clean(self):
        cleaned = super().clean()
        if "check" in self.data:
            # Only the text is checked: the signature may still be empty.
            for name in ("title", "full_name", "role"):
                self.errors.pop(name, None)
        return cleaned


class SignAddendumForm(SignatureForm):
    submit_label = "Sign and publish the addendum"
    seen_hash = forms.CharField(widget=forms.HiddenInput, required=False)
