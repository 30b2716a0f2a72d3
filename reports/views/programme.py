"""The programme in figures: charts and the annual report's appendix, regenerated from the data."""

from django.shortcuts import render

from ..caching import public_page
from ..figures import programme_figures


@public_page
def programme(request):
    return render(request, "reports/programme.html", programme_figures())
