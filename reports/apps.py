from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Learning reports"

    def ready(self):
        from . import (
            pdf_signals,  # noqa: F401 - connects the receivers
            signals,  # noqa: F401 - connects the receivers
        )
