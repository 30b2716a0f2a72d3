from django.contrib import admin
from django.urls import include, path

from .health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("", include("reports.urls")),
    path("accounts/", include("accounts.urls")),
    path("admin/", admin.site.urls),
]

admin.site.site_header = "TCE portal administration"
admin.site.site_title = "TCE portal admin"
admin.site.index_title = "Site administration"
