from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        # Their receivers of user_logged_in (the session's renewal clock, whether two-step
        # sign-in is on) must be connected before anyone signs in, not when the middleware first
        # loads.
        from . import sessions, two_step  # noqa: F401
