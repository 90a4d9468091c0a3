"""The assignment form: who handles an incoming document, who helps, who is informed, by when."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from vanthu.text import NOTE_MAX, TextField
from vanthu.ui.forms import VnDateField


class AssignForm(forms.Form):
    main_handler = forms.TypedChoiceField(label=_("Người chủ trì"), coerce=int)
    co_handlers = forms.TypedMultipleChoiceField(label=_("Người phối hợp"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple)
    informed = forms.TypedMultipleChoiceField(label=_("Người để biết"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple)
    deadline = VnDateField(label=_("Hạn xử lý"), required=False)
    working_days = forms.IntegerField(
        label=_("Hoặc: số ngày làm việc"), required=False, min_value=1, max_value=365,
        help_text=_("Hạn là ngày làm việc thứ N sau ngày nhận văn bản (không tính ngày nhận, thứ Bảy, Chủ nhật, "
                    "ngày nghỉ lễ, Tết và ngày nghỉ bù; có tính ngày làm bù)."))
    note = TextField(label=_("Ý kiến chỉ đạo"), required=False, max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 3}))
    share_note = forms.BooleanField(label=_("Chia sẻ nội dung chỉ đạo với nơi gửi"), required=False,
                                    help_text=_("Mặc định chỉ cán bộ trong đơn vị đọc được nội dung chỉ đạo; nơi gửi luôn thấy người xử lý và kết quả."))

    def __init__(self, *args, people: list[tuple[int, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["main_handler"].choices = [("", "—")] + people
        self.fields["co_handlers"].choices = people
        self.fields["informed"].choices = people


class CompleteForm(forms.Form):
    """Completing is final for the sender (06): the result is written down and confirmed, without JS."""

    note = TextField(label=_("Kết quả xử lý"), max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 2}),
                     error_messages={"required": _("Hãy ghi kết quả xử lý.")})
    # The answer (optional): the recipient's outgoing document, and/or a PDF. The action checks both.
    reply_document = forms.TypedChoiceField(label=_("Văn bản trả lời"), coerce=int, required=False, empty_value=None, choices=[])
    reply_file = forms.FileField(label=_("Tệp trả lời (PDF)"), required=False,
                                 widget=forms.FileInput(attrs={"accept": "application/pdf,.pdf"}))
    confirmed = forms.BooleanField(label=_("Tôi xác nhận đã xử lý xong văn bản này"),
                                   error_messages={"required": _("Hãy đánh dấu xác nhận đã xử lý xong.")})

    def __init__(self, *args, replies: list[tuple[int, str]] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reply_document"].choices = [("", "—"), *replies]
