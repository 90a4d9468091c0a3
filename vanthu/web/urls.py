"""Every page's address. Included at the site root by vanthu/urls.py."""

from django.urls import include, path

from vanthu.accounts import views as account_views

from . import manage, views

web_patterns = (
    [
        path("", views.home, name="home"),
        path("login/", account_views.login_view, name="login"),
        path("logout/", account_views.logout_view, name="logout"),
        path("org/", views.choose_org, name="choose_org"),
    ],
    "web",
)

manage_patterns = (
    [
        path("people/", manage.people, name="people"),
        path("people/new/", manage.person_new, name="person_new"),
        path("people/<int:person_id>/", manage.person, name="person"),
        path("people/<int:person_id>/active/", manage.person_active, name="person_active"),
        path("people/<int:person_id>/password/", manage.person_password, name="person_password"),
        path("people/<int:person_id>/two-factor/", manage.person_two_factor, name="person_two_factor"),
        path("organizations/", manage.organization_list, name="organizations"),
        path("organizations/<int:org_id>/", manage.organization, name="organization"),
        path("signatories/", manage.signatory_list, name="signatories"),
        path("signatories/new/", manage.signatory_new, name="signatory_new"),
        path("signatories/<int:signatory_id>/", manage.signatory_edit, name="signatory"),
    ],
    "manage",
)

urlpatterns = [
    path("manage/", include(manage_patterns)),
    path("", include(web_patterns)),
    path("", include("vanthu.accounts.urls")),
    path("", include("vanthu.documents.urls")),
    path("", include("vanthu.workflow.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
]
