"""Pages of the programme, under /programme/."""

from django.urls import path

from . import views

app_name = "programme"

urlpatterns = [
    path("", views.index, name="index"),
    path("org/<int:org_id>/", views.organization, name="organization"),
    path("org/<int:org_id>/inventory/", views.save_inventory, name="save_inventory"),
    path("regulations/new/", views.regulation_new, name="regulation_new"),
    path("regulations/<int:regulation_id>/", views.regulation, name="regulation"),
    path("courses/new/", views.course_new, name="course_new"),
    path("courses/<int:course_id>/", views.course, name="course"),
    path("courses/<int:course_id>/certificates/<int:enrolment_id>/", views.certificate, name="certificate"),
    path("inspections/new/", views.inspection_new, name="inspection_new"),
    path("inspections/<int:inspection_id>/", views.inspection, name="inspection"),
]
