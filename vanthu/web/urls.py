"""Every page's address. Included at the site root by vanthu/urls.py."""

from django.urls import include, path

from vanthu.accounts import views as account_views

from . import views

web_patterns = (
    [
        path("", views.home, name="home"),
        path("login/", account_views.login_view, name="login"),
        path("logout/", account_views.logout_view, name="logout"),
        path("org/", views.choose_org, name="choose_org"),
    ],
    "web",
)

urlpatterns = [
    path("", include(web_patterns)),
    path("", include("vanthu.accounts.urls")),
    path("", include("vanthu.documents.urls")),
    path("", include("vanthu.workflow.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
]
