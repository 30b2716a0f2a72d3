from django.shortcuts import get_object_or_404, render

from partnerships.models import Partnership

from ..models import LearningReport
from ..rendering import build_document


def home(request):
    latest = LearningReport.objects.published().for_listing().order_by("-published_at")[:6]
    return render(request, "home.html", {"latest_reports": latest})


def report_detail(request, slug):
    report = get_object_or_404(
        LearningReport.objects.published().for_listing().prefetch_related("sections", "signatures"),
        slug=slug,
    )
    return render(
        request,
        "reports/report_detail.html",
        {"report": report, "document": build_document(report)},
    )


def partnership_detail(request, slug):
    partnership = get_object_or_404(Partnership.objects.select_related("region"), slug=slug)
    reports = LearningReport.objects.published().for_listing().filter(bsp__partnership=partnership)
    return render(
        request,
        "reports/partnership_detail.html",
        {"partnership": partnership, "reports": reports},
    )
