"""Forms of the member pages. They check shape only; the rules are the actions' (profile.py)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from vanthu.text import LineField, TextField
from vanthu.ui.forms import VnDateField

from .models import (
    Gender,
    Grade,
    MemberStatus,
    OfficerKind,
    OrgChangeKind,
    PartyOrgKind,
    Qualification,
    SeatRole,
    TheoryLevel,
    TransferStatus,
)


class OrgChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name} ({_('hệ thống khác')})" if obj.at_peer else obj.name


class MemberFilterForm(forms.Form):
    # Not `q`: the header's document search box picks `q` up from any page's address.
    name = LineField(label=_("Tìm theo tên hoặc số thẻ"), max_length=128, required=False,
                  help_text=_("Gõ có dấu hay không dấu đều được."))
    organization = OrgChoiceField(label=_("Tổ chức"), queryset=None, required=False, empty_label=_("Tất cả trong phạm vi"))
    status = forms.ChoiceField(label=_("Tình trạng"), required=False, choices=[("", _("Mọi tình trạng")), *MemberStatus.choices])

    def __init__(self, *args, organizations=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations


class MemberForm(forms.Form):
    full_name = LineField(label=_("Họ và tên"), max_length=128)
    other_names = LineField(label=_("Tên gọi khác"), max_length=128, required=False)
    gender = forms.ChoiceField(label=_("Giới tính"), choices=Gender.choices)
    birth_date = VnDateField(label=_("Ngày sinh"))
    birth_place = LineField(label=_("Nơi sinh"), max_length=255, required=False)
    ethnicity = LineField(label=_("Dân tộc"), max_length=32, initial="Kinh")
    religion = LineField(label=_("Tôn giáo"), max_length=64, required=False)
    id_number = LineField(label=_("Số định danh cá nhân"), max_length=12, required=False)
    card_number = LineField(label=_("Số thẻ đảng viên"), max_length=16)
    admitted_on = VnDateField(label=_("Ngày vào Đảng"))
    official_on = VnDateField(label=_("Ngày chính thức"), required=False)
    job = LineField(label=_("Nghề nghiệp"), max_length=128, required=False)
    position = LineField(label=_("Chức vụ"), max_length=128, required=False)
    education = LineField(label=_("Giáo dục phổ thông"), max_length=16, required=False, help_text=_("Ví dụ 12/12."))
    qualification = forms.ChoiceField(label=_("Trình độ chuyên môn"), choices=Qualification.choices, initial=Qualification.BACHELOR)
    theory_level = forms.ChoiceField(label=_("Lý luận chính trị"), choices=TheoryLevel.choices, initial=TheoryLevel.ELEMENTARY)
    it_level = LineField(label=_("Tin học"), max_length=64, required=False)
    foreign_language = LineField(label=_("Ngoại ngữ"), max_length=64, required=False)
    awards = TextField(label=_("Khen thưởng"), max_length=2000, required=False)
    disciplines = TextField(label=_("Kỷ luật"), max_length=2000, required=False)


class NewMemberForm(MemberForm):
    organization = OrgChoiceField(label=_("Chi bộ sinh hoạt"), queryset=None)

    def __init__(self, *args, organizations=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        self.order_fields(["organization"])


class LetterChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return str(obj.subject)[:120]


class TransferForm(forms.Form):
    to_organization = OrgChoiceField(label=_("Chuyển đến tổ chức"), queryset=None)
    # Only for an organisation at another installation: the letter whose package carries the record.
    letter = LetterChoiceField(label=_("Giấy giới thiệu sinh hoạt đảng (khi chuyển tới tổ chức thuộc hệ thống khác)"), queryset=None,
                               required=False, help_text=_("Văn bản đi gửi tổ chức đó, chưa phát hành: khi văn thư phát hành, "
                                                           "hồ sơ đảng viên đi kèm gói tin liên thông."))
    note = TextField(label=_("Ghi chú"), max_length=2000, required=False)

    def __init__(self, *args, organizations=None, letters=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_organization"].queryset = organizations
        self.fields["letter"].queryset = letters
        if not letters:
            del self.fields["letter"]


class RefuseForm(forms.Form):
    reason = TextField(label=_("Lý do từ chối"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Tình trạng mới"), choices=[(MemberStatus.DECEASED, MemberStatus.DECEASED.label),
                                                                   (MemberStatus.LEFT, MemberStatus.LEFT.label)])
    on = VnDateField(label=_("Từ ngày"))


class RankingForm(forms.Form):
    year = forms.IntegerField(label=_("Năm"), min_value=1930, max_value=2100)
    grade = forms.ChoiceField(label=_("Xếp loại"), choices=Grade.choices)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Tệp Excel (.xlsx) theo mẫu"))
    dry_run = forms.BooleanField(label=_("Chỉ kiểm tra, chưa ghi"), required=False)


class RankImportForm(forms.Form):
    year = forms.IntegerField(label=_("Năm đánh giá"), min_value=1930, max_value=2100)
    file = forms.FileField(label=_("Tệp Excel (.xlsx): Số thẻ đảng viên, Họ và tên, Xếp loại"))
    dry_run = forms.BooleanField(label=_("Chỉ kiểm tra, chưa ghi"), required=False)


class StatsForm(forms.Form):
    as_of = VnDateField(label=_("Đến ngày"), required=False)
    organization = OrgChoiceField(label=_("Tổ chức"), queryset=None, required=False, empty_label=_("Toàn bộ phạm vi"))

    def __init__(self, *args, organizations=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations


class TransferFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Trạng thái"), required=False, choices=[("", _("Tất cả")), *TransferStatus.choices])


class PartyOrgForm(forms.Form):
    party_kind = forms.ChoiceField(label=_("Loại tổ chức đảng"), choices=PartyOrgKind.choices)
    founded_on = VnDateField(label=_("Ngày thành lập"), required=False)


class TermForm(forms.Form):
    label = LineField(label=_("Nhiệm kỳ"), max_length=32, help_text=_("Ví dụ 2025-2030."))
    start = VnDateField(label=_("Bắt đầu"))
    end = VnDateField(label=_("Kết thúc"), required=False)
    secretary = LineField(label=_("Bí thư"), max_length=128)
    deputies = TextField(label=_("Phó Bí thư (mỗi dòng một người)"), max_length=2000, required=False)
    members = TextField(label=_("Cấp ủy viên (mỗi dòng một người)"), max_length=4000, required=False)

    def seats(self) -> list[tuple[str, str]]:
        d = self.cleaned_data
        lines = lambda text: [x.strip() for x in text.splitlines() if x.strip()]  # noqa: E731
        return ([(SeatRole.SECRETARY, d["secretary"])] + [(SeatRole.DEPUTY, n) for n in lines(d["deputies"])]
                + [(SeatRole.MEMBER, n) for n in lines(d["members"])])


class OrgChangeForm(forms.Form):
    kind = forms.ChoiceField(label=_("Loại thay đổi"), choices=OrgChangeKind.choices)
    on = VnDateField(label=_("Ngày"))
    other = OrgChoiceField(label=_("Tổ chức liên quan"), queryset=None, required=False)
    decision = LineField(label=_("Quyết định"), max_length=128, required=False)
    note = TextField(label=_("Ghi chú"), max_length=2000, required=False)

    def __init__(self, *args, organizations=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["other"].queryset = organizations


class OfficerForm(forms.Form):
    username = LineField(label=_("Tên đăng nhập của người được giao"), max_length=150)
    organization = OrgChoiceField(label=_("Tổ chức (gồm các tổ chức trực thuộc)"), queryset=None)
    kind = forms.ChoiceField(label=_("Vai trò"), choices=OfficerKind.choices)

    def __init__(self, *args, organizations=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
