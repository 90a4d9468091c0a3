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
