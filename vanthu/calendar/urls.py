from django.urls import path

from . import views

app_name = "calendar"
urlpatterns = [
    path("", views.index, name="index"),
    path("preview/", views.preview, name="preview"),
    path("<int:year>/", views.year_page, name="year"),
    path("<int:year>/seed/", views.seed, name="seed"),
    path("<int:year>/days/", views.set_day, name="set_day"),
    path("<int:year>/days/<str:day>/remove/", views.remove_day, name="remove_day"),
]
