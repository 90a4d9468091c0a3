"""Sign-in pages; included at the site root by vanthu/web/urls.py."""

from django.urls import path

from . import sso, views

app_name = "accounts"
urlpatterns = [
    path("login/code/", views.login_code, name="login_code"),
    path("sso/start/", sso.SsoStartView.as_view(), name="sso_start"),
    path("sso/callback/", sso.SsoCallbackView.as_view(), name="sso_callback"),
    path("account/", views.account, name="account"),
    path("account/2fa/", views.two_factor, name="two_factor"),
    path("account/recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("account/two-factor-policy/", views.two_factor_policy, name="two_factor_policy"),
    path("account/password/", views.change_password, name="change_password"),
    path("account/sign-out-everywhere/", views.sign_out_everywhere, name="sign_out_everywhere"),
]
