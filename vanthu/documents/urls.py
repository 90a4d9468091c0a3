from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/accept/", views.accept_many, name="accept_many"),
    path("inbox/<int:delivery_id>/", views.inbox_row, name="inbox_row"),
    path("inbox/<int:delivery_id>/accept/", views.accept, name="accept"),
    path("inbox/<int:delivery_id>/reject/", views.reject, name="reject"),
    path("documents/", views.outgoing, name="outgoing"),
    path("documents/new/", views.compose, name="compose"),
    path("documents/<int:document_id>/", views.document, name="document"),
    path("documents/<int:document_id>/edit/", views.edit, name="edit"),
    path("documents/<int:document_id>/submit/", views.submit, name="submit"),
    path("documents/<int:document_id>/approve/", views.approve, name="approve"),
    path("documents/<int:document_id>/return/", views.return_to_draft, name="return"),
    path("documents/<int:document_id>/issue/", views.issue, name="issue"),
    path("documents/<int:document_id>/share/", views.share, name="share"),
    path("documents/<int:document_id>/shares/<int:share_id>/withdraw/", views.withdraw_share, name="withdraw_share"),
    path("registers/outgoing/", views.register_outgoing, name="register_outgoing"),
    path("registers/incoming/", views.register_incoming, name="register_incoming"),
    path("incoming/paper/", views.register_paper, name="paper"),
    path("delegations/", views.delegations, name="delegations"),
    path("delegations/<int:delegation_id>/revoke/", views.revoke_delegation, name="revoke_delegation"),
]
