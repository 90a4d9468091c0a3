from django.urls import path

from . import views

urlpatterns = [
    path("identity", views.identity_view, name="exchange-identity"),
    path("inbox", views.inbox_view, name="exchange-inbox"),
    path("outbox/<int:message_id>/resend", views.resend_view, name="exchange-resend"),
]
