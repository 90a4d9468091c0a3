"""The administrator's upload form: an export, the organisation, the mapping."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from vanthu.organizations.models import Organization

MAX_MAPPING = 200_000


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Tệp xuất DXL từ Lotus Notes"), help_text=_(
        "Tệp .dxl xuất từ Domino Designer hoặc công cụ dxl. Tệp rất lớn (nhiều trăm MB) nên nhập bằng lệnh "
        "vanthu migrate notes trên máy chủ."))
    organization = forms.ModelChoiceField(label=_("Nhập cho tổ chức"), queryset=Organization.objects.none())
    mapping = forms.CharField(label=_("Bảng ánh xạ (TOML)"), required=False, max_length=MAX_MAPPING,
                              widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "false"}), help_text=_(
        "Biểu mẫu nào là văn bản đi, văn bản đến và trường nào cho số, ký hiệu, ngày, trích yếu… "
        "Để trống: mọi văn bản chỉ được giữ làm hồ sơ cũ."))
    dry_run = forms.BooleanField(label=_("Chạy thử (đọc và kiểm tra, không ghi gì)"), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.active().order_by("name")
