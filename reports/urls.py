from django.contrib.sitemaps import views as sitemap_views
from django.urls import path

from .caching import public_page
from .feeds import LatestReportsFeed
from .sitemaps import SITEMAPS
from .views import microsite, opendata, programme

app_name = "reports"

urlpatterns = [
    path("reports/", microsite.report_list, name="report-list"),
    path("reports/<slug:slug>/", microsite.report_detail, name="report-detail"),
    path("regions/<slug:slug>/", microsite.region_detail, name="region-detail"),
    path("partnerships/<slug:slug>/", microsite.partnership_detail, name="partnership-detail"),
    path("programme/", programme.programme, name="programme"),
    path("learning/", microsite.learning, name="learning"),
    path("feed/", public_page(LatestReportsFeed()), name="feed"),
    path("data/", opendata.data_index, name="data"),
    path("data/reports.csv", opendata.reports_csv, name="data-reports-csv"),
    path("data/reports.json", opendata.reports_json, name="data-reports-json"),
    path("data/bsps.csv", opendata.bsps_csv, name="data-bsps-csv"),
    path(
        "sitemap.xml",
        public_page(sitemap_views.sitemap),
        {"sitemaps": SITEMAPS},
        name="sitemap",
    ),
    path("robots.txt", microsite.robots_txt, name="robots"),
    path("my-reports/", microsite.dashboard, name="dashboard"),
]
