"""Sign-in pages; included at the site root by vanthu/web/urls.py."""

from django.urls import path

from . import sso, views

app_name = "accounts"
urlpatterns = [
    path("login/code/", views.login_code, name="login_code"),
    path("sso/start/", sso.SsoStartView.as_view(), name="sso_start"),
    path("sso/callback/", sso.SsoCallbackView.as_view(), name="sso_callback"),
    path("account/2fa/", views.two_factor, name="two_factor"),
    path("account/password/", views.change_password, name="change_password"),
    path("account/sign-out-everywhere/", views.sign_out_everywhere, name="sign_out_everywhere"),
]
