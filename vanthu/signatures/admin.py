"""Admin pages: trust roots (upload, enable/disable), signing certificates (PKCS#12 import), reports."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from vanthu.errors import VanThuError

from . import actions
from .models import SignatureReport, SigningCertificate, TrustRoot


class TrustRootUploadForm(forms.ModelForm):
    upload = forms.FileField(label=_("Tệp chứng thư (PEM hoặc DER)"))

    class Meta:
        model = TrustRoot
        fields = ["name"]


@admin.register(TrustRoot)
class TrustRootAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "subject", "not_after", "is_enabled"]
    list_filter = ["kind", "is_enabled"]
    search_fields = ["name", "subject", "fingerprint"]
    actions = ["enable", "disable"]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = TrustRootUploadForm
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["kind", "fingerprint", "subject", "not_before", "not_after"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["name", "upload"]
        return ["name", "kind", "fingerprint", "subject", "not_before", "not_after", "is_enabled"]

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        try:
            rows = actions.add_trust_roots(user=request.user, data=form.cleaned_data["upload"].read(), name=obj.name)
        except VanThuError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return
        obj.pk = rows[0].pk

    @admin.action(description=_("Tin cậy các chứng thư đã chọn"))
    def enable(self, request, queryset):
        for root in queryset:
            actions.set_trust_root_enabled(root, user=request.user, enabled=True)

    @admin.action(description=_("Thôi tin cậy các chứng thư đã chọn"))
    def disable(self, request, queryset):
        for root in queryset:
            actions.set_trust_root_enabled(root, user=request.user, enabled=False)


class Pkcs12ImportForm(forms.ModelForm):
    pkcs12 = forms.FileField(label=_("Tệp PKCS#12 (.p12, .pfx)"))
    password = forms.CharField(label=_("Mật khẩu tệp PKCS#12"), widget=forms.PasswordInput, required=False)

    class Meta:
        model = SigningCertificate
        fields = ["user", "organization", "label"]


@admin.register(SigningCertificate)
class SigningCertificateAdmin(admin.ModelAdmin):
    list_display = ["label", "user", "organization", "key_storage", "not_after", "is_active"]
    list_filter = ["key_storage", "is_active"]
    search_fields = ["label", "subject", "fingerprint", "user__username", "organization__name"]
    autocomplete_fields = ["user", "organization"]
    readonly_fields = ["subject", "fingerprint", "not_before", "not_after", "key_storage"]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = Pkcs12ImportForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["user", "organization", "label", "pkcs12", "password"]
        return ["label", "user", "organization", "subject", "fingerprint", "not_before", "not_after", "key_storage",
                "pkcs11_module", "pkcs11_token_label", "pkcs11_slot", "pkcs11_key_label", "pkcs11_pin_env", "is_active"]

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        try:
            row = actions.import_pkcs12(
                user=request.user, data=form.cleaned_data["pkcs12"].read(), password=form.cleaned_data.get("password") or None,
                owner_user=form.cleaned_data.get("user"), owner_org=form.cleaned_data.get("organization"),
                label=form.cleaned_data.get("label", ""),
            )
        except VanThuError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return
        obj.pk = row.pk


@admin.register(SignatureReport)
class SignatureReportAdmin(admin.ModelAdmin):
    list_display = ["document", "status", "authenticated", "checked_at"]
    list_filter = ["status", "authenticated"]
    readonly_fields = ["document", "document_file", "stored_file", "status", "authenticated", "signatures", "checked_at"]

    def has_add_permission(self, request):
        return False
