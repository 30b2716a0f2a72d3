"""Forms of the authoring pages. Each owns its layout; the services own the rules."""

import calendar
import datetime
import re

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Field, Fieldset, Layout, Submit
from django import forms
from django.conf import settings
from django.utils import formats, timezone
from django.utils.dateformat import format as format_date
from django.utils.html import escape

from partnerships.fields import ModelMultipleChoiceField
from partnerships.models import BespokeSupportProject, DeliveryMode, Methodology

from ..form_layout import submit_helper
from ..models import LearningReport
from ..richtext import to_text

_HAS_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>")
_BLANK_LINE = re.compile(r"\n\s*\n")
# The editor wraps each list item in a paragraph; a single one is just the item's text.
_LIST_ITEM_PARAGRAPH = re.compile(r"<li>\s*<p>((?:(?!</?p[\s>]).)*?)</p>\s*</li>", re.DOTALL)


def paragraphs_from_plain_text(text: str) -> str:
    """Text typed without the rich-text editor (no JavaScript): blank lines make paragraphs."""
    paragraphs = [p.strip() for p in _BLANK_LINE.split(text.replace("\r\n", "\n")) if p.strip()]
    return "".join(f"<p>{escape(p).replace(chr(10), '<br>')}</p>" for p in paragraphs)


def autosave_attrs(action: str, *, status_id: str) -> dict[str, str]:
    """A rich-text form that saves as you type: htmx posts it to ``action`` when
    section-editor.js says "autosave", and puts the view's answer (a status partial, with an
    ``X-Section-Save`` header) in the element ``status_id``."""
    return {
        "data-autosave": "",
        "data-save-status": status_id,
        "hx-post": action,
        "hx-trigger": "autosave",
        "hx-target": f"#{status_id}",
        "hx-swap": "innerHTML",
        "hx-sync": "this:queue last",
    }


class RichTextWidget(forms.Textarea):
    """A textarea that `static/js/section-editor.js` turns into a django-prose-editor (Tiptap)
    editor. Without JavaScript it stays a plain textarea."""

    def __init__(self, attrs=None):
        super().__init__(attrs={"rows": 18, "data-rich-text": "", **(attrs or {})})

    class Media:
        css = {
            "all": [
                "django_prose_editor/material-icons.css",
                "django_prose_editor/editor.css",
                "css/authoring.css",
            ]
        }
        js = [forms.Script("js/section-editor.js", type="module")]


# Shown under every rich-text field: without JavaScript the field is a plain text box, read as
# `RichTextField` reads it.
PLAIN_TEXT_BOX_HINT = (
    '<noscript><p class="form-text">Without JavaScript this is a plain text box: leave a blank '
    "line between paragraphs. (HTML tags such as &lt;h3&gt;, &lt;ul&gt; and &lt;strong&gt; also "
    "work.)</p></noscript>"
)


class RichTextField(forms.CharField):
    """The text of a rich-text editor, as HTML (the server sanitises it when it is stored).

    Without JavaScript the editor is a plain textarea (see `PLAIN_TEXT_BOX_HINT`): text with no
    HTML tag is plain text, where blank lines make paragraphs; text with tags is HTML.
    """

    widget = RichTextWidget

    def clean(self, value):
        body = super().clean(value)
        if body and not _HAS_TAG.search(body):
            return paragraphs_from_plain_text(body)
        return _LIST_ITEM_PARAGRAPH.sub(r"<li>\1</li>", body)


COMPLETED_CHOICES = [("yes", "Yes, I have completed this section"), ("no", "No, I will come back")]


class SectionForm(forms.Form):
    """The text of one section. ``based_on_version`` travels with every save (see
    `services.save_section`)."""

    body = RichTextField(label="Section text", required=False)
    completed = forms.TypedChoiceField(
        label="Have you completed this section?",
        choices=COMPLETED_CHOICES,
        coerce=lambda value: value == "yes",
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    based_on_version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args, action_url="", autosave=True, submit_label="", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[
            "body"
        ].help_text = (
            "You can paste from Word: paragraphs, headings, lists, bold, italic and links are kept."
        )
        self.helper = FormHelper()
        self.helper.form_action = action_url
        self.helper.attrs = {"novalidate": "", "id": "section-form"}
        if autosave:
            # The view answers an autosave with the "save-status" partial.
            self.helper.attrs.update(autosave_attrs(action_url, status_id="save-status"))
        self.helper.layout = Layout(
            Field("body", css_class="section-editor-text"),
            HTML(
                '<p class="form-text word-count" id="word-count" data-word-count>'
                "{{ word_count }} word{{ word_count|pluralize }}</p>"
                '<p class="visually-hidden" aria-live="polite" id="word-count-announcement"></p>'
                + PLAIN_TEXT_BOX_HINT
            ),
            Field("completed"),
            "based_on_version",
        )
        if submit_label:
            self.helper.add_input(Submit("save", submit_label))
        else:
            self.helper.add_input(Submit("save", "Save and return to the report"))
            self.helper.add_input(
                Submit("save_next", "Save and go to the next section", css_class="btn-secondary")
            )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("completed") and not to_text(cleaned.get("body", "")):
            self.add_error("completed", "Write the section before you mark it as completed.")
        return cleaned


MONTH_CHOICES = [("", "Select a month")] + [
    (str(number), calendar.month_name[number]) for number in range(1, 13)
]


TITLE_MAX_LENGTH = LearningReport._meta.get_field("title").max_length
VERSION_MISSING = (
    "Your changes could not be saved: the form did not say which version of the details it "
    "started from. Reload the page and make your changes again."
)
COMMENCED_LABEL = "Date the BSP commenced"
NOT_GIVEN = "Not given"


class BSPDetailsForm(forms.ModelForm):
    """The details at the top of the report: its title and the BSP's details table.
    ``based_on_version`` (the report's ``details_version``) travels with every save (see
    `services.update_bsp_details`)."""

    # The order the page shows them in, so that the error summary lists problems in that order.
    field_order = [
        "title",
        "size",
        "number_of_local_authorities",
        "local_authorities_as_stated",
        "regional_area_as_stated",
        "methodologies",
        "methodology_as_stated",
        "delivery_mode",
        "commenced_month",
        "commenced_year",
        "based_on_version",
    ]
    title = forms.CharField(
        label="Title of the report",
        max_length=TITLE_MAX_LENGTH,
        help_text="Usually the local area's name. The report's web address stays the same.",
        error_messages={
            "required": "Enter the title of the report",
            "max_length": f"Enter a title of {TITLE_MAX_LENGTH} characters or fewer",
        },
    )
    based_on_version = forms.IntegerField(
        min_value=1,
        widget=forms.HiddenInput,
        error_messages={"required": VERSION_MISSING, "invalid": VERSION_MISSING},
    )
    commenced_month = forms.TypedChoiceField(
        label="Month",
        choices=MONTH_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
    )
    commenced_year = forms.IntegerField(
        label="Year",
        min_value=2019,
        max_value=2100,
        required=False,
        error_messages={
            "min_value": "Enter a year from 2019, when the programme started",
            "max_value": "Enter a real year, like 2021",
            "invalid": "Enter the year as a number, like 2021",
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    class Meta:
        model = BespokeSupportProject
        fields = [
            "agencies_as_stated",
            "size",
            "number_of_local_authorities",
            "local_authorities_as_stated",
            "regional_area_as_stated",
            "methodologies",
            "methodology_as_stated",
            "delivery_mode",
            "delivery_mode_as_stated",
            "commenced_as_stated",
        ]
        labels = {
            "agencies_as_stated": "Core partner agencies, as the report should word them "
            "(optional)",
            "size": "BSP size (as the report should state it)",
            "number_of_local_authorities": "Number of local authority areas covered",
            "local_authorities_as_stated": "Local authority areas, as the report should word them "
            "(optional)",
            "regional_area_as_stated": "Regional area, as the report should word it (optional)",
            "methodologies": "BSP methodology or methodologies",
            "methodology_as_stated": "Methodology, as the report should word it (optional)",
            "delivery_mode": "Digital, face to face or mixed delivery",
            "delivery_mode_as_stated": "Delivery, as the report should word it (optional)",
            "commenced_as_stated": "Date BSP commenced, as the report should word it (optional)",
        }
        help_texts = {
            "agencies_as_stated": "Left empty, the partnership's core partner agencies are "
            "listed (a programme admin keeps that list).",
            "size": 'For example "Standard" or "Unitary". Left empty, the BSP type is shown.',
            "local_authorities_as_stated": 'For example "Single authority". Left empty, the '
            "number is shown.",
            "regional_area_as_stated": 'For example "Sussex Police". Left empty, the region '
            "is shown.",
            "methodology_as_stated": "Left empty, the methodologies ticked above are shown.",
            "methodologies": "",
            "delivery_mode": "",
            "delivery_mode_as_stated": 'For example "Digital Delivery". Left empty, the choice '
            "above is shown.",
            "commenced_as_stated": 'For example "Nov 2020". Left empty, the month and year '
            "above are shown.",
        }
        error_messages = {
            "number_of_local_authorities": {
                "required": "Enter the number of local authority areas the BSP covered",
                "min_value": "A BSP covers at least one local authority area",
                "invalid": "Enter the number of local authority areas as a number, like 2",
            },
        }
        widgets = {
            "methodologies": forms.CheckboxSelectMultiple,
            "delivery_mode": forms.RadioSelect,
        }
        field_classes = {"methodologies": ModelMultipleChoiceField}

    def __init__(self, *args, report, submit_label="Save the details", **kwargs):
        super().__init__(*args, instance=report.bsp, **kwargs)
        self.initial.setdefault("title", report.title)
        self.initial.setdefault("based_on_version", report.details_version)
        self.fields["methodologies"].queryset = Methodology.objects.order_by("name")
        self.fields["delivery_mode"].choices = DeliveryMode.choices
        self.fields["delivery_mode"].required = False
        if self.instance.commenced:
            self.initial.setdefault("commenced_month", str(self.instance.commenced.month))
            self.initial.setdefault("commenced_year", self.instance.commenced.year)
        self.helper = FormHelper()
        self.helper.attrs = {"novalidate": ""}
        self.helper.layout = Layout(
            "title",
            "agencies_as_stated",
            "size",
            "number_of_local_authorities",
            "local_authorities_as_stated",
            "regional_area_as_stated",
            "methodologies",
            "methodology_as_stated",
            "delivery_mode",
            "delivery_mode_as_stated",
            Fieldset(
                COMMENCED_LABEL,
                Div(
                    Div("commenced_month", css_class="col-sm-5"),
                    Div("commenced_year", css_class="col-sm-3"),
                    css_class="row",
                ),
                css_class="commenced-fieldset",
            ),
            "commenced_as_stated",
            "based_on_version",
        )
        self.helper.add_input(Submit("save", submit_label))

    def clean(self):
        cleaned = super().clean()
        if self._errors.pop("based_on_version", None):
            # A hidden field: say it where people read it, not beside an input they cannot see.
            self.add_error(None, VERSION_MISSING)
        month, year = cleaned.get("commenced_month"), cleaned.get("commenced_year")
        if month and year:
            cleaned["commenced"] = datetime.date(year, month, 1)
        elif month or year:
            if not month:
                self.add_error("commenced_month", "Select the month the BSP commenced")
            if not year and "commenced_year" not in self.errors:
                self.add_error("commenced_year", "Enter the year the BSP commenced")
        else:
            cleaned["commenced"] = None
        return cleaned

    def details(self) -> dict:
        """The cleaned values as the service takes them (the title first, as on the page)."""
        data = {"title": self.cleaned_data["title"]}
        data.update({field: self.cleaned_data[field] for field in self.Meta.fields})
        data["commenced"] = self.cleaned_data["commenced"]
        return data

    def comparison(self, conflict) -> list[tuple[str, str, str]]:
        """The rows of the conflict page: (detail, the stored value, the value not saved) for
        each detail where they differ (``conflict`` is a `services.DetailsConflict`)."""
        return [
            (
                COMMENCED_LABEL if key == "commenced" else self.fields[key].label,
                self.shown(key, conflict.stored[key]),
                self.shown(key, conflict.mine[key]),
            )
            for key in conflict.changed
        ]

    @staticmethod
    def shown(key, value) -> str:
        """A detail's value as people read it."""
        if key == "methodologies":
            return ", ".join(m.name for m in value) or "None ticked"
        if value in ("", None):
            return NOT_GIVEN
        if key == "delivery_mode":
            return DeliveryMode(value).label
        if key == "commenced":
            return format_date(value, "F Y")
        return str(value)


class CreateReportForm(forms.Form):
    bsp = forms.ModelChoiceField(
        label="BSP",
        queryset=BespokeSupportProject.objects.filter(learning_report__isnull=True)
        .select_related("region")
        .order_by("-programme_year", "local_area"),
        empty_label="Select a BSP",
        error_messages={"required": "Select the BSP to start a report for."},
        help_text="Only BSPs that have no learning report yet are listed.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper("Start the report")


class SendForSignoffForm(forms.Form):
    due_on = forms.DateField(
        label="Ask the local area to sign it off by (optional)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter the date as day, month and year, like 17/12/2026"},
    )
    comment = forms.CharField(
        label="Message to the local area (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "data-keep-text": ""}),
        help_text="Recorded with the report's history of sign-off.",
    )

    looked_at_findings = forms.BooleanField(
        label="I have looked at each passage the safeguarding check found, and changed or "
        "dismissed those that could identify someone",
        required=False,
    )

    def __init__(self, *args, default_due_on=None, open_findings=0, **kwargs):
        super().__init__(*args, **kwargs)
        # Asked only while the safeguarding check has findings nobody has dismissed.
        self.open_findings = open_findings
        if not open_findings:
            del self.fields["looked_at_findings"]
        else:
            self.order_fields(["looked_at_findings"])
        if default_due_on is not None:
            self.fields["due_on"].help_text = (
                "Leave it empty for "
                f"{formats.date_format(default_due_on, 'l j F Y')}, "
                f"{settings.SIGNOFF_DUE_WORKING_DAYS} working days from today. The local lead and "
                "the TCE project lead are reminded before it and on the day."
            )
        self.helper = submit_helper("Send for local sign-off")

    def clean_due_on(self):
        due_on = self.cleaned_data["due_on"]
        if due_on is not None and due_on <= timezone.localdate():
            raise forms.ValidationError("Enter a date after today")
        return due_on

    def clean_looked_at_findings(self):
        looked = self.cleaned_data["looked_at_findings"]
        if not looked:
            raise forms.ValidationError(
                "Confirm that you have looked at each passage the safeguarding check found"
            )
        return looked


class RestoreForm(forms.Form):
    based_on_version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
