"""Page forms of the programme (the API has its schemas; both call the same actions)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from vanthu.text import NOTE_MAX, LineField, TextField
from vanthu.ui.forms import VnDateField

from .models import AttendanceStatus, Audience, Backup, RegulationKind


class OrgChoiceField(forms.TypedMultipleChoiceField):
    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("coerce", int)
        kwargs.setdefault("widget", forms.CheckboxSelectMultiple)
        super().__init__(**kwargs)


class RegulationForm(forms.Form):
    title = LineField(label=_("Tên quy chế, quy định"), max_length=500)
    kind = forms.ChoiceField(label=_("Loại"), choices=RegulationKind.choices)
    document_id = forms.IntegerField(label=_("Số hiệu văn bản trong VanThu (mã văn bản)"), required=False, min_value=1)
    due_date = VnDateField(label=_("Hạn nghiên cứu"))
    target_org_ids = OrgChoiceField(label=_("Tổ chức phải nghiên cứu, quán triệt"))
    question = LineField(label=_("Câu hỏi kiểm tra nhanh (không bắt buộc)"), max_length=1000, required=False)
    options = TextField(label=_("Các phương án, mỗi dòng một phương án; đáp án đúng đặt dấu * ở đầu"), max_length=2000,
                        required=False, widget=forms.Textarea(attrs={"rows": 3}))


class CourseForm(forms.Form):
    title = LineField(label=_("Tên lớp"), max_length=500)
    audience = forms.ChoiceField(label=_("Đối tượng"), choices=Audience.choices)
    starts = VnDateField(label=_("Từ ngày"))
    ends = VnDateField(label=_("Đến ngày"))
    place = LineField(label=_("Địa điểm"), max_length=255, required=False)
    online = forms.BooleanField(label=_("Học trực tuyến"), required=False)
    trainers = LineField(label=_("Giảng viên"), max_length=500, required=False)
    materials = TextField(label=_("Tài liệu"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    quota = forms.IntegerField(label=_("Số người mỗi tổ chức được cử"), min_value=0, max_value=10000, initial=3)
    invite_org_ids = OrgChoiceField(label=_("Tổ chức được mời cử người"), required=False)


class PersonForm(forms.Form):
    user_id = forms.TypedChoiceField(label=_("Người học"), coerce=int)


class ResultForm(forms.Form):
    user_id = forms.IntegerField(widget=forms.HiddenInput)
    attended = forms.BooleanField(label=_("Có tham dự"), required=False)
    score = forms.DecimalField(label=_("Điểm (0–10)"), min_value=0, max_value=10, decimal_places=2, localize=True,
                               error_messages={"max_value": _("Điểm phải từ 0 đến 10."), "min_value": _("Điểm phải từ 0 đến 10.")})
    passed = forms.BooleanField(label=_("Đạt"), required=False)


class AttendanceForm(forms.Form):
    user_id = forms.IntegerField(widget=forms.HiddenInput)
    day = VnDateField(label=_("Ngày học"))
    status = forms.ChoiceField(label=_("Điểm danh"), choices=AttendanceStatus.choices)


class InspectionForm(forms.Form):
    organization_id = forms.TypedChoiceField(label=_("Tổ chức được kiểm tra"), coerce=int)
    planned_on = VnDateField(label=_("Ngày kiểm tra"))
    content = LineField(label=_("Nội dung kiểm tra"), max_length=1000)


class StudySessionForm(forms.Form):
    organization_id = forms.TypedChoiceField(label=_("Tổ chức"), coerce=int)
    held_on = VnDateField(label=_("Ngày quán triệt"))
    attendees = forms.IntegerField(label=_("Số người dự"), min_value=1, max_value=100000)


class RecommendationForm(forms.Form):
    text = TextField(label=_("Kiến nghị"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    deadline = VnDateField(label=_("Hạn thực hiện"))


class ReportForm(forms.Form):
    report = TextField(label=_("Báo cáo kết quả thực hiện"), max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 2}))


class SignOffForm(forms.Form):
    document_id = forms.IntegerField(label=_("Mã văn bản biên bản kiểm tra đã ban hành (không bắt buộc)"), required=False, min_value=1)
    findings = TextField(label=_("Kết quả, phát hiện"), max_length=8000, required=False, widget=forms.Textarea(attrs={"rows": 3}))


class InventoryForm(forms.Form):
    computers_under_5 = forms.IntegerField(label=_("Máy tính dưới 5 năm"), min_value=0, max_value=100000)
    computers_5_to_8 = forms.IntegerField(label=_("Máy tính 5–8 năm"), min_value=0, max_value=100000)
    computers_over_8 = forms.IntegerField(label=_("Máy tính trên 8 năm"), min_value=0, max_value=100000)
    clerks = forms.IntegerField(label=_("Số văn thư, cán bộ dùng máy tính"), min_value=0, max_value=100000)
    wan_connected = forms.BooleanField(label=_("Kết nối mạng diện rộng của Khối"), required=False)
    wan_speed_mbps = forms.IntegerField(label=_("Tốc độ kết nối (Mbps)"), min_value=0, max_value=100000)
    security_software = forms.BooleanField(label=_("Có phần mềm phòng chống mã độc"), required=False)
    backup = forms.ChoiceField(label=_("Sao lưu dữ liệu"), choices=Backup.choices)
    it_staff_dedicated = forms.IntegerField(label=_("Cán bộ CNTT chuyên trách"), min_value=0, max_value=10000)
    it_staff_part_time = forms.IntegerField(label=_("Cán bộ CNTT kiêm nhiệm"), min_value=0, max_value=10000)
    it_staff_trained = forms.IntegerField(label=_("Cán bộ CNTT đã qua đào tạo"), min_value=0, max_value=10000)
    software = TextField(label=_("Phần mềm đang dùng"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 2}))
