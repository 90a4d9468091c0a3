"""The archive's page forms (Vietnamese labels and errors; actions check the rest)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from vanthu.text import NOTE_MAX, LineField, TextField
from vanthu.ui.forms import VnDateField

from .models import RetentionPeriod


class YearForm(forms.Form):
    year = forms.IntegerField(label=_("Năm"), min_value=1945, max_value=2200)


class HeadingForm(forms.Form):
    code = LineField(label=_("Số, ký hiệu đề mục"), max_length=16)
    title = LineField(label=_("Tên đề mục"), max_length=255)


class EntryForm(forms.Form):
    code = LineField(label=_("Số và ký hiệu hồ sơ"), max_length=32)
    title = LineField(label=_("Tiêu đề hồ sơ"), max_length=500)
    heading_id = forms.TypedChoiceField(label=_("Đề mục"), coerce=int, required=False, empty_value=None)
    retention = forms.ChoiceField(label=_("Thời hạn bảo quản"))
    responsible_id = forms.TypedChoiceField(label=_("Người lập hồ sơ"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, headings=(), people=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["retention"].choices = [(p.code, p.label) for p in RetentionPeriod.objects.all()]
        self.fields["heading_id"].choices = [("", "—")] + [(h.id, f"{h.code}. {h.title}") for h in headings]
        self.fields["responsible_id"].choices = [("", "—")] + [(u.id, u.get_full_name()) for u in people]


class DocumentForm(forms.Form):
    document_id = forms.IntegerField(label=_("Mã văn bản"), min_value=1)


class RecordForm(forms.Form):
    title = LineField(label=_("Trích yếu tài liệu"), max_length=1000)
    dated = VnDateField(label=_("Ngày của tài liệu"), required=False)
    file = forms.FileField(label=_("Tệp PDF"))


class RequestForm(forms.Form):
    reason = TextField(label=_("Mục đích khai thác"), max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 2}))


class DecideForm(forms.Form):
    until = VnDateField(label=_("Được đọc đến ngày"), required=False)
    note = TextField(label=_("Ý kiến"), max_length=NOTE_MAX, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class DisposalForm(forms.Form):
    decision_id = forms.TypedChoiceField(label=_("Quyết định hủy tài liệu"), coerce=int)
    case_file_ids = forms.TypedMultipleChoiceField(label=_("Hồ sơ hủy"), coerce=int, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, decisions=(), files=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["decision_id"].choices = [(d.id, f"{d.symbol} — {d.subject[:80]}") for d in decisions]
        self.fields["case_file_ids"].choices = [(c.id, f"{c.code} — {c.title[:80]}") for c in files]


class HandoverForm(forms.Form):
    case_file_ids = forms.TypedMultipleChoiceField(label=_("Hồ sơ nộp lưu"), coerce=int, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, files=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["case_file_ids"].choices = [(c.id, f"{c.code} — {c.title[:80]}") for c in files]
