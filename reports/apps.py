from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Learning reports"

    def ready(self):
        # Connect each capability's receivers (what follows a transition or an edit).
        from .microsite import receivers as microsite_receivers  # noqa: F401
        from .pdfs import receivers as pdf_receivers  # noqa: F401
        from .signoff import receivers as signoff_receivers  # noqa: F401
