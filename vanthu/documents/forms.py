"""Forms of the document pages. They check input types; the rules live in actions.py."""

from __future__ import annotations

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from vanthu.organizations.models import GRASSROOTS_KINDS, Organization
from vanthu.text import NOTE_MAX, LineField, TextField
from vanthu.ui.forms import VnDateField

from .classification import CLASSIFIED_MESSAGE, ORDINARY
from .models import DELEGATION_FORMS, DocStatus, DocumentType, Signatory, StatusCode, Urgency


class MultiFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiFileField(forms.FileField):
    """Several files in one input (attachments)."""

    widget = MultiFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(MultiFileField, self).clean(f, initial) for f in files]

# Whole groups of recipients a clerk picks with one tick.
RECIPIENT_GROUPS = {
    "grassroots": (_("Tất cả đảng bộ, chi bộ cơ sở"), lambda: Organization.objects.active().filter(kind__in=GRASSROOTS_KINDS)),
    "children": (_("Tất cả tổ chức trực thuộc đơn vị"), None),  # resolved against the issuer
}


# The levels a clerk reads off a document. Only the first enters; choosing another one gets the
# refusal that points to the cipher channel. A CharField under the select: whatever is posted
# reaches classification.check_marking, like the API's field, and gets the same answer.
CONFIDENTIALITY_CHOICES = [("thuong", _("Thường")), ("mat", _("Mật")), ("toi_mat", _("Tối mật")), ("tuyet_mat", _("Tuyệt mật"))]


def confidentiality_field() -> forms.CharField:
    # A classified choice is refused in the page at once (documents/classified.js), with the
    # reason the server gives when it refuses one.
    refusal = {"data-classified-refusal": _(CLASSIFIED_MESSAGE), "data-ordinary": ORDINARY}
    return forms.CharField(label=_("Độ mật"), required=False, initial="thuong",
                           widget=forms.Select(choices=CONFIDENTIALITY_CHOICES, attrs=refusal),
                           help_text=_("Văn bản Mật, Tối mật, Tuyệt mật không đưa vào hệ thống: chuyển qua kênh cơ yếu."))


def doc_type_choices() -> list[tuple[str, str]]:
    # "CV – Công văn": a clerk types the symbol and the select jumps to it (type-ahead).
    return [("", "—")] + [(t.code, f"{t.code} – {t.name}") for t in DocumentType.objects.filter(is_active=True)]


class ComposeForm(forms.Form):
    doc_type = forms.ChoiceField(label=_("Loại văn bản"))
    # Typed in a text area, kept as one line (as the register prints it).
    subject = LineField(label=_("Trích yếu"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    urgency = forms.ChoiceField(label=_("Độ khẩn"), choices=Urgency.choices, initial=Urgency.NORMAL, required=False)
    confidentiality = confidentiality_field()
    file = forms.FileField(label=_("Tệp văn bản (PDF)"), error_messages={"required": _("Chưa chọn tệp văn bản (PDF).")},
                           widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}))
    attachments = MultiFileField(label=_("Phụ lục, tài liệu kèm theo (PDF)"), required=False,
                                 widget=MultiFileInput(attrs={"accept": "application/pdf,.pdf"}))
    signatory = forms.TypedChoiceField(label=_("Người ký"), coerce=int, empty_value=None, required=False,
                                       error_messages={"required": _("Hãy chọn lãnh đạo ký văn bản.")},
                                       help_text=_("Lãnh đạo có thẩm quyền ký của đơn vị, với hình thức ký và chức vụ. "
                                                   "Chỉ người được chọn (hoặc người ký thay, có ghi lại) mới duyệt và ký."))
    due_date = VnDateField(label=_("Hạn xử lý"), required=False)
    recipient_ids = forms.TypedMultipleChoiceField(label=_("Nơi nhận"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple)
    groups = forms.MultipleChoiceField(label=_("Nhóm nơi nhận"), required=False, widget=forms.CheckboxSelectMultiple,
                                       choices=[(k, v[0]) for k, v in RECIPIENT_GROUPS.items()])

    def __init__(self, *args, organizations: list[Organization], issuer: Organization, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.issuer = issuer
        self.fields["doc_type"].choices = doc_type_choices()
        self.fields["recipient_ids"].choices = [(o.id, o.name) for o in organizations]
        signatories = list(Signatory.objects.of_organization(issuer.id).with_user())
        self.fields["signatory"].choices = [("", "—")] + [(s.id, str(s)) for s in signatories]
        if len(signatories) == 1:
            self.fields["signatory"].initial = signatories[0].id

    def clean(self):
        data = super().clean()
        ids = set(data.get("recipient_ids") or [])
        for group in data.get("groups") or []:
            if group == "children":
                ids |= set(Organization.objects.active().filter(parent=self.issuer).values_list("id", flat=True))
            else:
                ids |= set(RECIPIENT_GROUPS[group][1]().values_list("id", flat=True))
        ids.discard(self.issuer.id)
        data["all_recipient_ids"] = sorted(ids)
        return data


class RejectForm(forms.Form):
    reason = TextField(label=_("Lý do từ chối"), max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 2}))


class ApproveForm(forms.Form):
    note = TextField(label=_("Ý kiến của lãnh đạo (không bắt buộc)"), required=False, max_length=NOTE_MAX,
                     widget=forms.Textarea(attrs={"rows": 2}))


class ReturnForm(forms.Form):
    note = TextField(label=_("Lý do trả lại"), max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 2}))


class InboxFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Trạng thái"), required=False, choices=[("", _("Tất cả"))] + [
        (c.value, format_lazy("{} – {}", c.value, c.label)) for c in StatusCode if c.value in ("01", "02", "03", "04", "05", "06")
    ])
    urgency = forms.ChoiceField(label=_("Độ khẩn"), required=False, choices=[("", _("Tất cả"))] + list(Urgency.choices))
    doc_type = forms.ChoiceField(label=_("Loại"), required=False)
    sender = LineField(label=_("Nơi gửi"), required=False, max_length=100)
    date_from = VnDateField(label=_("Từ ngày"), required=False)
    date_to = VnDateField(label=_("Đến ngày"), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["doc_type"].choices = [("", _("Tất cả"))] + doc_type_choices()[1:]


class OutgoingFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Trạng thái"), required=False, choices=[("", _("Tất cả"))] + [
        (s.value, s.label) for s in DocStatus if s.value != "external"
    ])
    mine = forms.BooleanField(label=_("Chỉ văn bản tôi soạn"), required=False)
    failed = forms.BooleanField(label=_("Chỉ văn bản chưa tới được nơi nhận (gửi không thành công hoặc chưa được xác nhận)"), required=False)


class RegisterFilterForm(forms.Form):
    period = forms.ChoiceField(label=_("Kỳ"), required=False)
    doc_type = forms.ChoiceField(label=_("Loại"), required=False)

    def __init__(self, *args, periods: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = periods
        self.fields["doc_type"].choices = [("", _("Tất cả"))] + doc_type_choices()[1:]


class PaperForm(forms.Form):
    """In the order a clerk reads a paper document: who sent it, its number, date, type, subject."""

    sender_name = LineField(label=_("Cơ quan gửi"), max_length=255, widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off"}))
    number_symbol = LineField(label=_("Số và ký hiệu"), max_length=64, widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "15-CV/ĐU"}))
    issued_date = VnDateField(label=_("Ngày ban hành"))
    doc_type = forms.ChoiceField(label=_("Loại văn bản"))
    subject = LineField(label=_("Trích yếu"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    urgency = forms.ChoiceField(label=_("Độ khẩn"), choices=Urgency.choices, initial=Urgency.NORMAL, required=False)
    confidentiality = confidentiality_field()
    due_date = VnDateField(label=_("Hạn xử lý"), required=False)
    sender_code = LineField(label=_("Mã định danh cơ quan gửi"), max_length=35, required=False)
    file = forms.FileField(label=_("Bản quét (PDF)"), error_messages={"required": _("Chưa chọn tệp văn bản (PDF).")},
                           widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}))
    # A scan is an image: the stamp check reads only a PDF's text, so the clerk, who holds the
    # paper, confirms what the machine cannot see.
    unmarked = forms.BooleanField(
        label=_("Tôi đã xem bản giấy: văn bản không có dấu Mật, Tối mật, Tuyệt mật"),
        error_messages={"required": _("Hãy xem dấu độ mật trên bản giấy và xác nhận văn bản không phải văn bản mật.")},
        help_text=_("Hệ thống không đọc được dấu độ mật trên bản quét dạng ảnh."),
    )

    # Shown only with the warning of a likely duplicate (register_paper_document).
    confirm_duplicate = forms.BooleanField(label=_("Vẫn vào sổ: tôi đã kiểm tra, đây là văn bản khác"), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["doc_type"].choices = doc_type_choices()


class DelegationForm(forms.Form):
    deputy = forms.TypedChoiceField(label=_("Người được ủy quyền"), coerce=int)
    form = forms.ChoiceField(label=_("Hình thức ký"), choices=[(f.value, f.label) for f in DELEGATION_FORMS], initial="K/T")
    starts_on = VnDateField(label=_("Từ ngày"))
    ends_on = VnDateField(label=_("Đến ngày"))
    position = LineField(label=_("Chức vụ người được ủy quyền"), max_length=128, required=False,
                         help_text=_("In dưới dòng K/T, ví dụ PHÓ BÍ THƯ. Để trống: lấy chức vụ ký của người đó."))
    reason = TextField(label=_("Lý do"), max_length=NOTE_MAX, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, people: list[tuple[int, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["deputy"].choices = [("", "—")] + people
