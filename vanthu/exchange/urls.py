from django.urls import path

from . import views

urlpatterns = [
    path("identity", views.identity_view, name="exchange-identity"),
    path("inbox", views.inbox_view, name="exchange-inbox"),
    path("outbox/<int:message_id>/resend", views.resend_view, name="exchange-resend"),
    path("documents/<int:document_id>/recall", views.recall_view, name="exchange-recall"),
    path("deliveries/<int:delivery_id>/answer", views.answer_view, name="exchange-answer"),
]
