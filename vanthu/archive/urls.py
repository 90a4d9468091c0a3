from django.urls import path

from . import views

app_name = "archive"
urlpatterns = [
    path("", views.index, name="index"),
    path("lists/<int:file_list_id>/", views.file_list, name="file_list"),
    path("lists/<int:file_list_id>/headings/", views.add_heading, name="add_heading"),
    path("lists/<int:file_list_id>/entries/", views.add_entry, name="add_entry"),
    path("case-files/<int:case_file_id>/", views.case_file, name="case_file"),
    path("case-files/<int:case_file_id>/<str:step>/", views.case_step, name="case_step"),
    path("case-files/<int:case_file_id>/items/<int:item_id>/<str:step>/", views.item_step, name="item_step"),
    path("unfiled/", views.unfiled, name="unfiled"),
    path("handovers/", views.handovers, name="handovers"),
    path("handovers/<int:handover_id>/", views.handover, name="handover"),
    path("handovers/<int:handover_id>/sign/", views.sign, name="sign"),
    path("requests/", views.requests, name="requests"),
    path("requests/<int:request_id>/<str:decision>/", views.decide, name="decide"),
    path("disposal/", views.disposal, name="disposal"),
]
