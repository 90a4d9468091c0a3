"""The calendar page's forms: a day off or make-up day, and seeding a year."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from vanthu.ui.forms import VnDateField

from .defaults import DayKind, TetRule


class DayForm(forms.Form):
    date = VnDateField(label=_("Ngày"))
    kind = forms.ChoiceField(label=_("Loại ngày"), choices=DayKind.choices)
    name = forms.CharField(label=_("Tên, lý do"), max_length=128,
                           help_text=_("Ví dụ: Nghỉ hoán đổi theo Thông báo của Bộ Nội vụ; Làm bù cho thứ Hai 27/01."))


class SeedForm(forms.Form):
    tet_rule = forms.ChoiceField(label=_("Năm ngày nghỉ Tết"), choices=TetRule.choices, initial=TetRule.FROM_29)
    replace = forms.BooleanField(label=_("Bỏ mọi chỉnh sửa của năm này, lập lại theo mặc định"), required=False)


class PreviewForm(forms.Form):
    start = VnDateField()
    working_days = forms.IntegerField(min_value=0, max_value=3660)
