"""The direction pages' forms: filters of the follow-up, a directive, and the task's actions."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from vanthu.organizations.models import Organization
from vanthu.text import NOTE_MAX, LineField, TextField
from vanthu.ui.forms import VnDateField

from .models import Cycle, DirectiveKind


class FollowupFilterForm(forms.Form):
    board = forms.TypedChoiceField(label=_("Cơ quan chỉ đạo"), required=False, coerce=int, empty_value=None)
    organization = forms.TypedChoiceField(label=_("Đơn vị thực hiện"), required=False, coerce=int, empty_value=None)
    start = VnDateField(label=_("Chỉ đạo từ ngày"), required=False)
    end = VnDateField(label=_("đến ngày"), required=False)
    q = forms.CharField(label=_("Trích yếu có chữ"), required=False, max_length=200)

    def __init__(self, data, *, boards, organizations) -> None:
        super().__init__(data)
        self.fields["board"].choices = [("", _("Tất cả"))] + [(o.id, o.name) for o in boards]
        self.fields["organization"].choices = [("", _("Tất cả"))] + [(o.id, o.name) for o in organizations]


class DirectiveForm(forms.Form):
    """A directive, and one task given to the organisations ticked (the usual case: the same work for
    many; the API takes a different task for each)."""

    kind = forms.ChoiceField(label=_("Loại"), choices=DirectiveKind.choices, initial=DirectiveKind.CONCLUSION)
    title = LineField(label=_("Trích yếu"), max_length=500)
    content = TextField(label=_("Nội dung chỉ đạo"), required=False, max_length=20000, widget=forms.Textarea(attrs={"rows": 4}))
    leader_name = LineField(label=_("Lãnh đạo chỉ đạo"), required=False, max_length=128)
    issued_on = VnDateField(label=_("Ngày chỉ đạo"), required=False)
    task_content = TextField(label=_("Nội dung nhiệm vụ"), max_length=20000, widget=forms.Textarea(attrs={"rows": 3}))
    due = VnDateField(label=_("Hạn hoàn thành (ngày)"), required=False)
    working_days = forms.IntegerField(label=_("hoặc số ngày làm việc"), required=False, min_value=1, max_value=750)
    cycle = forms.ChoiceField(label=_("Chế độ báo cáo"), choices=Cycle.choices, initial=Cycle.ONCE)
    organizations = forms.ModelMultipleChoiceField(label=_("Đơn vị chủ trì"), queryset=Organization.objects.none(),
                                                   widget=forms.CheckboxSelectMultiple)
    source_document_id = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, organizations, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organizations"].queryset = organizations


class ReportForm(forms.Form):
    progress = forms.IntegerField(label=_("Tiến độ (%)"), min_value=0, max_value=100)
    content = TextField(label=_("Nội dung báo cáo"), max_length=20000, widget=forms.Textarea(attrs={"rows": 3}))
    done = forms.BooleanField(label=_("Báo cáo hoàn thành nhiệm vụ"), required=False)


class ExtensionForm(forms.Form):
    due = VnDateField(label=_("Đề nghị gia hạn đến ngày"))
    reason = TextField(label=_("Lý do"), max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 2}))


class DecisionForm(forms.Form):
    grant = forms.TypedChoiceField(label=_("Quyết định"), choices=[("1", _("Đồng ý gia hạn")), ("0", _("Không đồng ý"))],
                                   coerce=lambda v: v == "1", widget=forms.RadioSelect)
    due = VnDateField(label=_("Hạn mới (để trống: theo đề nghị)"), required=False)
    note = TextField(label=_("Ý kiến"), required=False, max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 2}))


class EntryForm(forms.Form):
    day = VnDateField(label=_("Ngày"))
    start = forms.TimeField(label=_("Giờ bắt đầu"), input_formats=["%H:%M", "%Hh%M", "%H:%M:%S"],
                            widget=forms.TimeInput(attrs={"placeholder": "08:00", "inputmode": "numeric"}, format="%H:%M"))
    end = forms.TimeField(label=_("Giờ kết thúc"), required=False, input_formats=["%H:%M", "%Hh%M", "%H:%M:%S"],
                          widget=forms.TimeInput(attrs={"placeholder": "11:30", "inputmode": "numeric"}, format="%H:%M"))
    content = TextField(label=_("Nội dung"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))
    place = LineField(label=_("Địa điểm"), required=False, max_length=255)
    chair = LineField(label=_("Chủ trì"), required=False, max_length=255)
    chair_user = forms.TypedChoiceField(label=_("Người chủ trì (trong hệ thống)"), required=False, coerce=int, empty_value=None)
    attendees = TextField(label=_("Thành phần"), required=False, max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 2}))
    attendee_users = forms.TypedMultipleChoiceField(label=_("Người tham dự (trong hệ thống)"), required=False, coerce=int,
                                                    widget=forms.CheckboxSelectMultiple)
    preparer = LineField(label=_("Chuẩn bị"), required=False, max_length=255)

    def __init__(self, *args, people, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices = [(u.id, u.get_full_name() or u.username) for u in people]
        self.fields["chair_user"].choices = [("", "—")] + choices
        self.fields["attendee_users"].choices = choices


class MeetingForm(forms.Form):
    title = LineField(label=_("Nội dung cuộc họp"), max_length=500)
    day = VnDateField(label=_("Ngày họp"))
    start = forms.TimeField(label=_("Giờ bắt đầu"), input_formats=["%H:%M", "%Hh%M"],
                            widget=forms.TimeInput(attrs={"placeholder": "08:00"}, format="%H:%M"))
    end = forms.TimeField(label=_("Giờ kết thúc"), required=False, input_formats=["%H:%M", "%Hh%M"],
                          widget=forms.TimeInput(attrs={"placeholder": "11:30"}, format="%H:%M"))
    place = LineField(label=_("Địa điểm"), max_length=255)
    document_id = forms.TypedChoiceField(label=_("Giấy mời (văn bản đã ban hành)"), required=False, coerce=int, empty_value=None)
    invited = forms.ModelMultipleChoiceField(label=_("Đơn vị được mời"), queryset=Organization.objects.none(), required=False,
                                             widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, organizations, documents, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["invited"].queryset = organizations
        self.fields["document_id"].choices = [("", _("— Không kèm văn bản —"))] + [(d.id, f"{d.symbol} — {d.subject[:80]}")
                                                                                 for d in documents]


class AnswerForm(forms.Form):
    state = forms.ChoiceField(label=_("Xác nhận"), widget=forms.RadioSelect, choices=[
        ("attending", _("Tham dự")), ("substitute", _("Cử người dự thay")), ("absent", _("Vắng mặt"))])
    attendees = TextField(label=_("Họ tên, chức vụ người tham dự"), required=False, max_length=NOTE_MAX,
                          widget=forms.Textarea(attrs={"rows": 2}))
    note = TextField(label=_("Ghi chú, lý do vắng"), required=False, max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 2}))
