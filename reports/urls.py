from django.urls import path

from .views import microsite

app_name = "reports"

urlpatterns = [
    path("reports/<slug:slug>/", microsite.report_detail, name="report-detail"),
    path("partnerships/<slug:slug>/", microsite.partnership_detail, name="partnership-detail"),
    path("my-reports/", microsite.dashboard, name="dashboard"),
]
