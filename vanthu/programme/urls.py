"""Pages of the programme, under /programme/."""

from django.urls import path

from . import views

app_name = "programme"

urlpatterns = [
    path("", views.index, name="index"),
    path("org/<int:org_id>/", views.organization, name="organization"),
]
