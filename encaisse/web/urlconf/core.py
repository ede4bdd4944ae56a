"""Shell routes: home, sign-in, password reset by email, language switch."""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from encaisse.web.views import account, auth, core, home, settings

urlpatterns = [
    path("", home.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="web/auth/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password-reset/",
        auth.ThrottledPasswordResetView.as_view(
            template_name="web/auth/password_reset_form.html",
            email_template_name="web/auth/password_reset_email.txt",
            subject_template_name="web/auth/password_reset_subject.txt",
            success_url=reverse_lazy("password_reset_done"),
        ),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="web/auth/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        auth.UnlockingPasswordResetConfirmView.as_view(
            template_name="web/auth/password_reset_confirm.html",
            success_url=reverse_lazy("password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="web/auth/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
    path("language/", core.set_language, name="set_language"),
    path("account/", account.account, name="account"),
    path(
        "account/tokens/<str:prefix>/revoke/",
        account.account_token_revoke,
        name="account_token_revoke",
    ),
    path("settings/", settings.settings_page, name="settings"),
]
