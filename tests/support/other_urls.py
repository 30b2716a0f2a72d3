"""A URL conf of one page, for tests that change ``ROOT_URLCONF``."""

from django.http import HttpResponse
from django.urls import path

urlpatterns = [path("elsewhere/", lambda request: HttpResponse(), name="elsewhere")]
