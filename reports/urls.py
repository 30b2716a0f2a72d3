from django.contrib.sitemaps import views as sitemap_views
from django.urls import path

from .addenda import views as addenda
from .authoring import views as authoring
from .importing import views as importing
from .microsite import accessibility
from .microsite import views as microsite
from .microsite.caching import public_page
from .microsite.feeds import LatestReportsFeed
from .microsite.sitemaps import SITEMAPS
from .pdfs import check as pdf_check
from .pdfs import views as pdf_views
from .safeguarding import private_notes
from .safeguarding import views as safeguarding
from .signoff import views as signoff

app_name = "reports"

urlpatterns = [
    path("", microsite.home, name="home"),
    path("reports/", microsite.report_list, name="report-list"),
    path("reports/<slug:slug>/", microsite.report_detail, name="report-detail"),
    path(
        "reports/<slug:slug>/editions/<int:number>/",
        microsite.edition_detail,
        name="edition-detail",
    ),
    path("regions/<slug:slug>/", microsite.region_detail, name="region-detail"),
    path("partnerships/<slug:slug>/", microsite.partnership_detail, name="partnership-detail"),
    # Authoring (signed in): every page finds its report through access.get_report_or_404.
    path("my-reports/", authoring.dashboard, name="dashboard"),
    path("my-reports/new/", authoring.report_create, name="report-create"),
    path("my-reports/import/", importing.upload, name="import"),
    path("my-reports/import/<int:pk>/", importing.review, name="import-review"),
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
    path(
        "my-reports/<slug:slug>/findings/dismiss/",
        safeguarding.dismiss,
        name="finding-dismiss",
    ),
    path("programme/", microsite.programme, name="programme"),
    path("programme/<int:year>/", microsite.programme_year, name="programme-year"),
    path("learning/", microsite.learning, name="learning"),
    path("feed/", public_page(LatestReportsFeed()), name="feed"),
    path("data/", microsite.data_index, name="data"),
    path("data/reports.csv", microsite.reports_csv, name="data-reports-csv"),
    path("data/reports.json", microsite.reports_json, name="data-reports-json"),
    path("data/bsps.csv", microsite.bsps_csv, name="data-bsps-csv"),
    path(
        "sitemap.xml",
        public_page(sitemap_views.index),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "reports:sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        public_page(sitemap_views.sitemap),
        {"sitemaps": SITEMAPS},
        name="sitemap-section",
    ),
    path("robots.txt", microsite.robots_txt, name="robots"),
    path("accessibility/", accessibility.statement, name="accessibility"),
    path(
        "accessibility/request-another-format/",
        accessibility.request_format,
        name="accessibility-request",
    ),
    path(
        "accessibility/request-another-format/sent/",
        accessibility.request_format_sent,
        name="accessibility-request-sent",
    ),
    # Sign-off and publication
    path("my-reports/<slug:slug>/review/", signoff.review_page, name="report-review"),
    path(
        "my-reports/<slug:slug>/review/comments/<str:section_key>/",
        signoff.add_comment,
        name="report-comment",
    ),
    path(
        "my-reports/<slug:slug>/review/reflections/",
        signoff.write_reflections,
        name="report-reflections",
    ),
    path(
        "my-reports/<slug:slug>/review/request-changes/",
        signoff.request_changes,
        name="report-request-changes",
    ),
    path("my-reports/<slug:slug>/sign-off/", signoff.sign, name="report-sign"),
    path("my-reports/<slug:slug>/countersign/", signoff.countersign, name="report-countersign"),
    path("my-reports/<slug:slug>/publish/", signoff.publish, name="report-publish"),
    path("my-reports/<slug:slug>/withdraw/", signoff.withdraw, name="report-withdraw"),
    path("my-reports/<slug:slug>/reopen/", signoff.reopen, name="report-reopen"),
    path("my-reports/<slug:slug>/take-down/", signoff.take_down, name="report-take-down"),
    path("my-reports/<slug:slug>/notes/", private_notes.notes_page, name="report-private-notes"),
    path("my-reports/<slug:slug>/revise/", signoff.revise, name="report-revise"),
    path("my-reports/<slug:slug>/addenda/new/", addenda.write, name="addendum-write"),
    path("my-reports/<slug:slug>/addenda/<int:pk>/sign/", addenda.sign, name="addendum-sign"),
    path("my-reports/<slug:slug>/agree/", signoff.give_consent, name="report-give-consent"),
    path(
        "my-reports/<slug:slug>/withdraw-agreement/",
        signoff.withdraw_consent,
        name="report-withdraw-consent",
    ),
    path("my-reports/<slug:slug>/audit-log/", signoff.audit, name="report-audit"),
    path(
        "my-reports/<slug:slug>/sign-off-links/",
        signoff.send_signoff_link,
        name="report-send-signoff-link",
    ),
    path("sign-off/<slug:slug>/done/", signoff.signoff_link_done, name="signoff-link-done"),
    path("sign-off/<slug:slug>/<int:link_id>/", signoff.open_signoff_link, name="signoff-link"),
    # PDFs
    path("reports/<slug:slug>/pdf/", pdf_views.report_pdf, name="report-pdf"),
    path(
        "reports/<slug:slug>/editions/<int:number>/pdf/",
        pdf_views.report_pdf,
        name="edition-pdf",
    ),
    path("my-reports/<slug:slug>/pdf/", pdf_views.report_pdf_draft, name="report-pdf-draft"),
    path("pdfs/check/", pdf_check.check, name="pdf-check"),
    path("compendiums/", pdf_views.compendium, name="compendium"),
    # A search's or learning by section's result, named by their filters (microsite's own views).
    path("compendiums/search/", microsite.report_list_pdf, name="report-list-pdf"),
    path("compendiums/learning/", microsite.learning_pdf, name="learning-pdf"),
    path("compendiums/<uuid:pk>/", pdf_views.compendium_detail, name="compendium-detail"),
    path("compendiums/<uuid:pk>/pdf/", pdf_views.compendium_pdf, name="compendium-pdf"),
]
