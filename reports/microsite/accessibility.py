"""The accessibility statement, and the form that asks the programme for a report (or any page)
in another format, as UK public-sector bodies must offer.

A request is e-mailed to the programme (``PROGRAMME_EMAIL``) with a reply-to of the person asking;
nothing is stored. One client may send ``REQUESTS_PER_CLIENT_PER_HOUR`` an hour, so that the form
cannot be used to flood the programme's inbox.
"""

from axes.helpers import get_client_ip_address
from django import forms
from django.conf import settings
from django.core.mail import EmailMessage
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.services import within_hourly_allowance

from .caching import public_page

REQUESTS_PER_CLIENT_PER_HOUR = 5
ANSWER_WITHIN_WORKING_DAYS = 10

FORMATS = [
    ("accessible_word", "An accessible Word document"),
    ("large_print", "Large print"),
    ("easy_read", "Easy read"),
    ("audio", "Audio recording"),
    ("braille", "Braille"),
    ("other", "Something else (say what below)"),
]


class AlternativeFormatForm(forms.Form):
    name = forms.CharField(label="Your name", max_length=200)
    email = forms.EmailField(
        label="Your e-mail address",
        help_text="We reply to this address and use it for nothing else.",
    )
    document = forms.CharField(
        label="Which report or page do you need?",
        max_length=500,
        help_text="Its title or web address, for example “East Sussex”.",
    )
    format = forms.ChoiceField(
        label="Which format do you need?", choices=FORMATS, widget=forms.RadioSelect
    )
    details = forms.CharField(
        label="Anything else we should know (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("format") == "other" and not cleaned.get("details", "").strip():
            self.add_error("details", "Say which format you need.")
        return cleaned

    def message(self) -> EmailMessage:
        data = self.cleaned_data
        chosen = dict(FORMATS)[data["format"]]
        body = (
            f"{data['name']} asks for a report or page of the portal in another format.\n\n"
            f"Report or page: {data['document']}\n"
            f"Format: {chosen}\n"
            f"Details: {data['details'] or '(none)'}\n\n"
            f"Reply to {data['email']} within {ANSWER_WITHIN_WORKING_DAYS} working days, as the "
            f"accessibility statement ({settings.SITE_URL}/accessibility/) promises."
        )
        return EmailMessage(
            subject=f"Request for another format: {data['document'][:80]}",
            body=body,
            to=[settings.PROGRAMME_EMAIL],
            reply_to=[data["email"]],
        )


@public_page
def statement(request):
    return render(
        request,
        "reports/accessibility.html",
        {"answer_within": ANSWER_WITHIN_WORKING_DAYS, "programme_email": settings.PROGRAMME_EMAIL},
    )


@require_http_methods(["GET", "POST"])
def request_format(request):
    """The form (never cached: it carries a CSRF token); sent, the confirmation page."""
    form = AlternativeFormatForm(request.POST or None, initial={"document": request.GET.get("for")})
    if request.method == "POST" and form.is_valid():
        client = get_client_ip_address(request) or "unknown"
        if not within_hourly_allowance(f"format-requests:{client}", REQUESTS_PER_CLIENT_PER_HOUR):
            response = render(
                request,
                "reports/accessibility_request.html",
                {"form": form, "too_many": True, "per_hour": REQUESTS_PER_CLIENT_PER_HOUR},
                status=429,
            )
            response["Retry-After"] = "3600"
            return response
        form.message().send()
        request.session["format_request_email"] = form.cleaned_data["email"]
        return redirect("reports:accessibility-request-sent")
    return render(request, "reports/accessibility_request.html", {"form": form})


def request_format_sent(request):
    return render(
        request,
        "reports/accessibility_request_sent.html",
        {
            "email": request.session.pop("format_request_email", ""),
            "answer_within": ANSWER_WITHIN_WORKING_DAYS,
        },
    )
