from django.urls import path

from .views import microsite
from .views import pdf as pdf_views

app_name = "reports"

urlpatterns = [
    path("reports/<slug:slug>/", microsite.report_detail, name="report-detail"),
    path("reports/<slug:slug>/pdf/", pdf_views.report_pdf, name="report-pdf"),
    path("partnerships/<slug:slug>/", microsite.partnership_detail, name="partnership-detail"),
    path("my-reports/", microsite.dashboard, name="dashboard"),
    path("my-reports/<slug:slug>/pdf/", pdf_views.report_pdf_draft, name="report-pdf-draft"),
    path("compendiums/", pdf_views.compendium, name="compendium"),
    path("compendiums/<uuid:pk>/", pdf_views.compendium_detail, name="compendium-detail"),
    path("compendiums/<uuid:pk>/pdf/", pdf_views.compendium_pdf, name="compendium-pdf"),
]
