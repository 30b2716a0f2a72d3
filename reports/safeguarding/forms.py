"""The form that dismisses a finding of the safeguarding check, with the author's reason."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Field, Layout, Submit
from django import forms
from django.urls import reverse

# Where the author goes back to after dismissing: the section's editor or "check and send".
BACK_TO = [("section", "The section's editor"), ("send", "Check and send")]


class DismissFindingForm(forms.Form):
    """One finding's "does not identify anyone" form. Several sit on a page, so each has ids of
    its own (``found.anchor``)."""

    part = forms.CharField(widget=forms.HiddenInput, max_length=40)
    kind = forms.CharField(widget=forms.HiddenInput, max_length=20)
    text = forms.CharField(widget=forms.HiddenInput, max_length=300, strip=False)
    back = forms.ChoiceField(widget=forms.HiddenInput, choices=BACK_TO, initial="section")
    reason = forms.CharField(
        label="Why it does not identify anyone",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say why this passage does not identify anyone"},
    )

    def __init__(self, *args, found=None, action: str = "", back: str = "section", **kwargs):
        if found is not None:
            kwargs.setdefault("auto_id", f"{found.anchor}-%s")
            kwargs.setdefault(
                "initial",
                {"part": found.part, "kind": found.kind, "text": found.text, "back": back},
            )
        super().__init__(*args, **kwargs)
        if found is not None:
            self.fields["reason"].label = f"Why “{found.text}” does not identify anyone"
            self.fields["reason"].help_text = "The local area's reviewer sees your reason."
        self.helper = FormHelper()
        self.helper.form_action = action
        self.helper.attrs = {"novalidate": "", "class": "dismiss-finding"}
        self.helper.layout = Layout("part", "kind", "text", "back", Field("reason"))
        css_id = f"{found.anchor}-dismiss" if found is not None else "dismiss-finding"
        self.helper.add_input(
            Submit("dismiss", "Dismiss this finding", css_class="btn btn-secondary", css_id=css_id)
        )


def with_dismiss_forms(report, parts, *, back: str):
    """Give each open finding of ``parts`` its dismiss form (``part.open_forms``: pairs of
    finding and form), for the pages where its authors judge them."""
    action = reverse("reports:finding-dismiss", kwargs={"slug": report.slug})
    for part in parts:
        part.open_forms = [
            (found, DismissFindingForm(found=found, action=action, back=back))
            for found in part.open
        ]
    return parts
