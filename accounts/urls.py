from django.contrib.auth import views as auth_views
from django.urls import path

from . import keeping_text, two_step, views
from .forms import SignInForm

app_name = "accounts"

urlpatterns = [
    path(
        "sign-in/",
        auth_views.LoginView.as_view(
            template_name="accounts/sign_in.html",
            authentication_form=SignInForm,
            redirect_authenticated_user=True,
        ),
        name="login",
    ),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("session/", keeping_text.session_status, name="session-status"),
    path("signed-in/", keeping_text.signed_in_again, name="signed-in-again"),
    path("", views.account, name="account"),
    path("two-step/", two_step.set_up, name="two-step-set-up"),
    path("two-step/code/", two_step.verify, name="two-step-verify"),
    path("two-step/off/", two_step.turn_off, name="two-step-off"),
    path("password/", views.PasswordChangeView.as_view(), name="password-change"),
    path("invite/", views.invite, name="invite"),
    path("invitation/<str:token>/", views.invitation, name="invitation"),
    path("password-reset/", views.PasswordResetView.as_view(), name="password-reset"),
    path("password-reset/sent/", views.PasswordResetSentView.as_view(), name="password-reset-sent"),
    path(
        "password-reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path(
        "password-reset/done/",
        views.PasswordResetCompleteView.as_view(),
        name="password-reset-complete",
    ),
]
