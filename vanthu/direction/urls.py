from django.urls import path

from . import views

app_name = "direction"
urlpatterns = [
    path("", views.followup_page, name="followup"),
    path("tasks/", views.my_tasks, name="my_tasks"),
    path("tasks/<int:task_id>/", views.task_page, name="task"),
    path("<int:directive_id>/", views.directive_page, name="directive"),
]
