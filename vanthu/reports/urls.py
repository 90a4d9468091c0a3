"""Pages of the reports app, under /reports/."""

from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("bloc/<int:org_id>/", views.bloc, name="bloc"),
    path("org/<int:org_id>/", views.organization, name="organization"),
    path("org/<int:org_id>/documents/", views.documents, name="documents"),
    path("evaluation/<int:org_id>/", views.evaluation, name="evaluation"),
    path("export/<str:kind>.<str:fmt>", views.export, name="export"),
    path("exports/<int:job_id>/", views.job, name="job"),
    path("exports/<int:job_id>/download", views.download, name="download"),
]
