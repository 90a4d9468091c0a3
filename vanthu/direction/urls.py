from django.urls import path, re_path

from . import schedule_views as sv
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
    # The weekly work schedule, its feeds, and meetings.
    path("schedule/", sv.week_page, name="schedule"),
    path("schedule/mine/", sv.my_schedule, name="my_schedule"),
    path("schedule/feeds/", sv.make_feed, name="make_feed"),
    path("schedule/orgs/<int:org_id>/entries/", sv.add_entry, name="add_entry"),
    path("schedule/entries/<int:entry_id>/", sv.edit_entry, name="edit_entry"),
    path("schedule/entries/<int:entry_id>/cancel/", sv.cancel_entry, name="cancel_entry"),
    re_path(r"^schedule/(?P<schedule_id>[0-9]+)/(?P<step>approve|publish)/$", sv.change_state, name="schedule_step"),
    path("ics/<str:token>.ics", sv.feed, name="feed"),
    path("meetings/", sv.meetings, name="meetings"),
    path("meetings/new/", sv.new_meeting, name="new_meeting"),
    path("meetings/<int:meeting_id>/", sv.meeting_page, name="meeting"),
]
