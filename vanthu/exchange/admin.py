from django.contrib import admin

from .actions import mark_served_organizations
from .models import (
    InboundMessage,
    OutboxMessage,
    Peer,
    RecallRequest,
    Refusal,
    RemoteOrganization,
    StagedPackage,
)


class RemoteOrganizationInline(admin.TabularInline):
    model = RemoteOrganization
    fields = ["organization", "fingerprint"]
    readonly_fields = ["organization", "fingerprint"]
    extra = 0
    can_delete = False


@admin.register(Peer)
class PeerAdmin(admin.ModelAdmin):
    list_display = ["name", "base_url", "endpoint", "site_id", "is_active", "updated_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "base_url", "site_id"]
    exclude = ["inbound_secret", "outbound_secret"]  # MAC keys (peerauth.py): set by `vanthu peer add`, never shown
    inlines = [RemoteOrganizationInline]

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        mark_served_organizations()  # a peer switched off no longer serves its organisations

    def delete_model(self, request, obj) -> None:
        super().delete_model(request, obj)
        mark_served_organizations()

    def delete_queryset(self, request, queryset) -> None:
        super().delete_queryset(request, queryset)
        mark_served_organizations()


@admin.register(OutboxMessage)
class OutboxAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "peer", "delivery", "business_type", "status_code", "state", "attempts", "next_attempt_at", "last_error"]
    list_filter = ["state", "kind", "peer"]
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]


@admin.register(InboundMessage)
class InboundAdmin(admin.ModelAdmin):
    list_display = ["received_at", "kind", "peer", "document_id_text", "business_type", "status_code"]
    list_filter = ["kind", "peer"]
    search_fields = ["document_id_text", "message_id"]
    readonly_fields = [f.name for f in InboundMessage._meta.fields]


@admin.register(Refusal)
class RefusalAdmin(admin.ModelAdmin):
    list_display = ["at", "code", "peer", "site_id", "remote_addr", "size"]
    list_filter = ["code"]
    readonly_fields = [f.name for f in Refusal._meta.fields]


@admin.register(StagedPackage)
class StagedAdmin(admin.ModelAdmin):
    """Packages acknowledged at the door and what the worker made of them (a refused one's
    bytes are gone; its row says who sent it, which document it named and why it was refused)."""

    list_display = ["received_at", "state", "peer", "document_id_text", "code", "size", "processing_ms"]
    list_filter = ["state", "code", "peer"]
    search_fields = ["document_id_text", "message_id", "body_sha256"]
    readonly_fields = [f.name for f in StagedPackage._meta.fields]


@admin.register(RecallRequest)
class RecallAdmin(admin.ModelAdmin):
    list_display = ["delivery", "business_type", "requested_at", "answer", "answered_at"]
    list_filter = ["business_type", "answer"]
