"""The document page's forms for the sender's requests and the recipient's answer."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from vanthu.text import NOTE_MAX, TextField

from .models import BusinessType


class RecallForm(forms.Form):
    business_type = forms.TypedChoiceField(
        label=_("Yêu cầu"), coerce=int, widget=forms.RadioSelect,
        choices=[(BusinessType.REVOKE, _("Thu hồi")), (BusinessType.UPDATE, _("Cập nhật (đính chính, bổ sung)")),
                 (BusinessType.REPLACE, _("Thay thế bằng văn bản mới"))],
        error_messages={"required": _("Hãy chọn thu hồi, cập nhật hay thay thế."),
                        "invalid_choice": _("Hãy chọn thu hồi, cập nhật hay thay thế.")})
    reason = TextField(label=_("Lý do"), max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 2}),
                       error_messages={"required": _("Hãy ghi lý do.")})
    file = forms.FileField(label=_("Tệp PDF mới (khi cập nhật hoặc thay thế)"), required=False,
                           widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}))

    def clean(self) -> dict:
        data = super().clean()
        if data.get("business_type") in (BusinessType.UPDATE, BusinessType.REPLACE) and not data.get("file"):
            self.add_error("file", _("Cập nhật hoặc thay thế cần tệp PDF mới."))
        if data.get("business_type") == BusinessType.REVOKE and data.get("file"):
            self.add_error("file", _("Thu hồi không kèm tệp: để gửi tệp mới, hãy chọn cập nhật hoặc thay thế."))
        return data


class AnswerForm(forms.Form):
    answer = forms.ChoiceField(choices=[("agree", _("Đồng ý")), ("refuse", _("Từ chối"))],
                               error_messages={"required": _("Hãy chọn đồng ý hay từ chối.")})
    note = TextField(label=_("Ghi chú"), required=False, max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 2}))
