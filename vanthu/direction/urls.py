from django.urls import path

from . import views

app_name = "direction"
urlpatterns = [
    path("", views.followup_page, name="followup"),
    path("new/", views.new_directive, name="new"),
    path("tasks/", views.my_tasks, name="my_tasks"),
    path("tasks/<int:task_id>/", views.task_page, name="task"),
    path("tasks/<int:task_id>/accept/", views.accept, name="accept"),
    path("tasks/<int:task_id>/report/", views.report, name="report"),
    path("tasks/<int:task_id>/extension/", views.extension, name="extension"),
    path("tasks/<int:task_id>/decide/", views.decide, name="decide"),
    path("tasks/<int:task_id>/review/", views.review, name="review"),
    path("<int:directive_id>/", views.directive_page, name="directive"),
]
