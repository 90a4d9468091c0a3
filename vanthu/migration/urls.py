from django.urls import path

from . import views

app_name = "migration"
urlpatterns = [
    path("", views.runs_page, name="runs"),
    path("runs/<int:run_id>/", views.run_page, name="run"),
    path("runs/<int:run_id>/verify/", views.verify_page, name="verify"),
    path("runs/<int:run_id>/report.<str:fmt>", views.run_report, name="report"),
    path("records/", views.records_page, name="records"),
    path("records/<int:record_id>/", views.record_page, name="record"),
    path("records/<int:record_id>/files/<int:attachment_id>/", views.attachment, name="attachment"),
]
