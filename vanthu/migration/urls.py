from django.urls import path

from . import views

app_name = "migration"
urlpatterns = [
    path("records/", views.records_page, name="records"),
    path("records/<int:record_id>/", views.record_page, name="record"),
    path("records/<int:record_id>/files/<int:attachment_id>/", views.attachment, name="attachment"),
]
