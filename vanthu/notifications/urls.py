from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("", views.list_page, name="list"),
    path("bell/", views.bell, name="bell"),
    path("read-all/", views.read_all, name="read_all"),
    path("preferences/", views.preferences, name="preferences"),
    path("<int:notification_id>/", views.open_notification, name="open"),
    path("<int:notification_id>/read/", views.read, name="read"),
]
