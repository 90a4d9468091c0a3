from django.urls import path

from . import views

app_name = "workflow"

urlpatterns = [
    path("incoming/<int:delivery_id>/assign/", views.assign, name="assign"),
    path("incoming/<int:delivery_id>/start/", views.start, name="start"),
    path("incoming/<int:delivery_id>/complete/", views.complete, name="complete"),
    path("incoming/<int:delivery_id>/reply-file/", views.reply_file, name="reply_file"),
    path("assignments/", views.my_assignments, name="assignments"),
]
