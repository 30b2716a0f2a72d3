from django.contrib import admin
from django.urls import include, path

from reports.views.microsite import home

urlpatterns = [
    path("", home, name="home"),
    path("", include("reports.urls")),
    path("accounts/", include("accounts.urls")),
    path("admin/", admin.site.urls),
]

admin.site.site_header = "TCE portal administration"
admin.site.site_title = "TCE portal admin"
admin.site.index_title = "Site administration"
