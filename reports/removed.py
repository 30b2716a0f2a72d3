"""What the public gets at every address of a report taken down for sensitive personal data (its
page, each edition's page, each PDF): 410 Gone, with a notice that says only that. The microsite's
pages and the PDFs' addresses both answer with it; ``reports.safeguarding.takedown`` takes the
report down."""

from django.shortcuts import render
from django.utils.cache import patch_cache_control


def removal_notice(request, report):
    response = render(
        request,
        "reports/report_withdrawn.html",
        {"report": report, "taken_down": True},
        status=410,
    )
    # A 410 may be kept by caches that are told nothing, and the report may be published again.
    patch_cache_control(response, no_cache=True, max_age=0)
    return response
