"""Trust roots, signing certificates (with their keys or token references) and verification reports."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vanthu.documents.models import Document, DocumentFile, StoredFile
from vanthu.organizations.models import Organization


class TrustRootQuerySet(models.QuerySet):
    def enabled(self) -> TrustRootQuerySet:
        return self.filter(is_enabled=True)


class TrustRoot(models.Model):
    """A certificate an administrator chose to trust: a root, or an intermediate to build paths."""

    class Kind(models.TextChoices):
        ROOT = "root", _("Chứng thư gốc")
        INTERMEDIATE = "intermediate", _("Chứng thư trung gian")

    name = models.CharField(_("tên"), max_length=255)
    kind = models.CharField(_("loại"), max_length=16, choices=Kind.choices, default=Kind.ROOT)
    certificate_der = models.BinaryField(_("chứng thư (DER)"))
    fingerprint = models.CharField(_("dấu vân tay SHA-256"), max_length=64, unique=True)
    subject = models.TextField(_("chủ thể"))
    not_before = models.DateTimeField(_("hiệu lực từ"))
    not_after = models.DateTimeField(_("hiệu lực đến"))
    is_enabled = models.BooleanField(_("đang tin cậy"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TrustRootQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("chứng thư tin cậy")
        verbose_name_plural = _("chứng thư tin cậy")

    def __str__(self) -> str:
        return self.name


class KeyStorage(models.TextChoices):
    ENCRYPTED = "encrypted", _("Khóa mã hóa lưu trên máy chủ")
    PKCS11 = "pkcs11", _("Thiết bị ký số (PKCS#11)")


class SigningCertificateQuerySet(models.QuerySet):
    def usable(self, at=None) -> SigningCertificateQuerySet:
        at = at or timezone.now()
        return self.filter(is_active=True, not_before__lte=at, not_after__gt=at)

    def of_user(self, user) -> SigningCertificateQuerySet:
        return self.filter(user=user)

    def of_organization(self, org_id: int) -> SigningCertificateQuerySet:
        return self.filter(organization_id=org_id, user__isnull=True)


class SigningCertificate(models.Model):
    """A person's or an organisation's certificate with the means to sign with it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người ký"), null=True, blank=True, on_delete=models.CASCADE, related_name="signing_certificates")
    organization = models.ForeignKey(Organization, verbose_name=_("tổ chức"), null=True, blank=True, on_delete=models.CASCADE, related_name="signing_certificates")
    label = models.CharField(_("tên gọi"), max_length=255)
    subject = models.TextField(_("chủ thể"))
    certificate_der = models.BinaryField(_("chứng thư (DER)"))
    chain_der = models.JSONField(_("chuỗi chứng thư (DER, base64)"), default=list, blank=True)
    fingerprint = models.CharField(_("dấu vân tay SHA-256"), max_length=64, unique=True)
    not_before = models.DateTimeField(_("hiệu lực từ"))
    not_after = models.DateTimeField(_("hiệu lực đến"))
    key_storage = models.CharField(_("nơi giữ khóa"), max_length=16, choices=KeyStorage.choices, default=KeyStorage.ENCRYPTED)
    # Fernet token of the PKCS#8 DER key; the encryption key is never in the database.
    encrypted_key = models.BinaryField(null=True, blank=True, editable=False)
    pkcs11_module = models.CharField(_("thư viện PKCS#11"), max_length=255, blank=True)
    pkcs11_token_label = models.CharField(_("nhãn thiết bị"), max_length=64, blank=True)
    pkcs11_slot = models.IntegerField(_("khe (slot)"), null=True, blank=True)
    pkcs11_key_label = models.CharField(_("nhãn khóa"), max_length=64, blank=True)
    pkcs11_pin_env = models.CharField(_("biến môi trường chứa PIN"), max_length=64, blank=True)
    is_active = models.BooleanField(_("đang dùng"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SigningCertificateQuerySet.as_manager()

    class Meta:
        ordering = ["-not_after"]
        verbose_name = _("chứng thư ký số")
        verbose_name_plural = _("chứng thư ký số")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(user__isnull=False) | models.Q(organization__isnull=False),
                name="signing_cert_has_owner",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def owner_kind(self) -> str:
        return "person" if self.user_id else "organization"


class ReportStatus(models.TextChoices):
    VALID = "valid", _("Hợp lệ")
    INVALID = "invalid", _("Không hợp lệ")
    INDETERMINATE = "indeterminate", _("Chưa xác định")
    UNSIGNED = "unsigned", _("Không có chữ ký số")


class SignatureReportQuerySet(models.QuerySet):
    def latest_for(self, document_file: DocumentFile) -> SignatureReport | None:
        return self.filter(document_file=document_file).order_by("-checked_at", "-id").first()

    def current(self) -> SignatureReportQuerySet:
        """Only each document's newest report of the file that counts (its authoritative file,
        or the main upload while there is none)."""
        newest = SignatureReport.objects.filter(document_id=models.OuterRef("document_id")).filter(
            models.Q(document_file_id=models.OuterRef("document__authoritative_file_id"))
            | models.Q(document__authoritative_file__isnull=True, document_file__role="main")
        ).order_by("-checked_at", "-id").values("id")[:1]
        return self.filter(id=models.Subquery(newest))


def authenticated_documents(documents: models.QuerySet[Document]) -> models.QuerySet[Document]:
    """Statistics: the documents that are electronically authenticated (every signature valid,
    one of them an organisation's), by their current report. Chains with any document filter."""
    ids = SignatureReport.objects.current().filter(authenticated=True).values("document_id")
    return documents.filter(id__in=ids)


class SignatureReport(models.Model):
    """The result of verifying one PDF of a document: overall status and one entry per signature."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="signature_reports")
    document_file = models.ForeignKey(DocumentFile, on_delete=models.CASCADE, related_name="signature_reports")
    stored_file = models.ForeignKey(StoredFile, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=16, choices=ReportStatus.choices)
    # Every signature valid and one of them an organisation's (the statistics' "authenticated").
    authenticated = models.BooleanField(default=False)
    signatures = models.JSONField(default=list)
    checked_at = models.DateTimeField(default=timezone.now)

    objects = SignatureReportQuerySet.as_manager()

    class Meta:
        ordering = ["-checked_at", "-id"]
        verbose_name = _("kết quả kiểm tra chữ ký số")
        verbose_name_plural = _("kết quả kiểm tra chữ ký số")
        indexes = [models.Index(fields=["document", "-checked_at"])]
