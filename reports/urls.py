from django.urls import path

from .views import authoring, microsite

app_name = "reports"

urlpatterns = [
    path("reports/<slug:slug>/", microsite.report_detail, name="report-detail"),
    path("partnerships/<slug:slug>/", microsite.partnership_detail, name="partnership-detail"),
    # Authoring (signed in): every page finds its report through access.get_report_or_404.
    path("my-reports/", authoring.dashboard, name="dashboard"),
    path("my-reports/new/", authoring.report_create, name="report-create"),
    path("my-reports/<slug:slug>/", authoring.report_overview, name="report-overview"),
    path("my-reports/<slug:slug>/details/", authoring.details_edit, name="details-edit"),
    path(
        "my-reports/<slug:slug>/sections/<slug:key>/",
        authoring.section_edit,
        name="section-edit",
    ),
    path(
        "my-reports/<slug:slug>/sections/<slug:key>/history/",
        authoring.section_history,
        name="section-history",
    ),
    path(
        "my-reports/<slug:slug>/revisions/<int:revision_id>/restore/",
        authoring.section_restore,
        name="section-restore",
    ),
    path("my-reports/<slug:slug>/history/", authoring.report_history, name="report-history"),
    path("my-reports/<slug:slug>/preview/", authoring.report_preview, name="report-preview"),
    path("my-reports/<slug:slug>/send/", authoring.report_send, name="report-send"),
]
