"""Pages of the signatures app, under /signatures/."""

from django.urls import path

from . import views

app_name = "signatures"

urlpatterns = [
    path("documents/<int:document_id>/verify/", views.reverify, name="reverify"),
]
