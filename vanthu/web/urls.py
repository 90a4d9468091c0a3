"""Every page's address. Included at the site root by vanthu/urls.py."""

from django.urls import include, path

from . import views

web_patterns = (
    [
        path("", views.home, name="home"),
        path("login/", views.LoginView.as_view(), name="login"),
        path("logout/", views.LogoutView.as_view(), name="logout"),
        path("org/", views.choose_org, name="choose_org"),
    ],
    "web",
)

urlpatterns = [
    path("", include(web_patterns)),
    path("", include("vanthu.documents.urls")),
    path("", include("vanthu.workflow.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
]
