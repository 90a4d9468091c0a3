from django.urls import path

from . import officers, views

app_name = "membership"
urlpatterns = [
    path("", views.member_list, name="list"),
    path("new/", views.member_new, name="new"),
    path("<int:member_id>/", views.member_detail, name="detail"),
    path("<int:member_id>/edit/", views.member_edit, name="edit"),
    path("<int:member_id>/transfer/", views.member_transfer, name="transfer"),
    path("<int:member_id>/status/", views.member_status, name="status"),
    path("<int:member_id>/ranking/", views.member_rank, name="rank"),
    path("transfers/", views.transfers, name="transfers"),
    path("transfers/<int:transfer_id>/accept/", views.transfer_accept, name="transfer_accept"),
    path("transfers/<int:transfer_id>/cancel/", views.transfer_cancel, name="transfer_cancel"),
    path("transfers/incoming/<int:incoming_id>/", views.incoming, name="incoming"),
    path("import/", views.import_page, name="import"),
    path("statistics/", views.stats_page, name="stats"),
    path("rankings/", views.rankings_page, name="rankings"),
    path("organizations/", views.organizations, name="organizations"),
    path("officers/", officers.officers, name="officers"),
    path("organizations/<int:org_id>/", views.organization, name="organization"),
]
