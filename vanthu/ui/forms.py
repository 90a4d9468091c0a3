"""Form pieces shared by every page: dates typed as dd/mm/yyyy, errors from actions."""

from __future__ import annotations

from datetime import date, datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from vanthu.errors import VanThuError
from vanthu.text import NOTE_MAX, TextField

DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%d/%m/%y"]


INVALID_DATE = _("Ngày không hợp lệ, hãy nhập theo dạng ngày/tháng/năm, ví dụ 05/11/2026.")


def date_box_attrs() -> dict[str, str]:
    """The attributes of every date box: pages that write the box by hand use the same ones
    (`{% date_box %}` of vanthu_ui), so that vanthu.js gives each its calendar button."""
    return {"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "autocomplete": "off", "class": "input-date",
            "maxlength": "10", "data-picker-label": str(_("Chọn ngày trên lịch"))}


class VnDateInput(forms.DateInput):
    """A text box for dd/mm/yyyy: faster to type than a date picker, and the same in every
    browser; vanthu.js adds a calendar button beside it that opens the browser's own picker
    and writes the chosen day back as dd/mm/yyyy."""

    input_type = "text"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs={**date_box_attrs(), **(attrs or {})}, format="%d/%m/%Y")

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"]["data-picker-label"] = str(_("Chọn ngày trên lịch"))  # in the page's language
        return context


class VnDateField(forms.DateField):
    widget = VnDateInput
    default_error_messages = {"invalid": INVALID_DATE}

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("input_formats", DATE_INPUT_FORMATS)
        super().__init__(**kwargs)


def parse_day(text: str | None) -> date | None:
    """A date typed in a date box (dd/mm/yyyy, or the forms DATE_INPUT_FORMATS allows; ISO too,
    as links between pages carry it). None when empty; ValueError (its message INVALID_DATE)
    when it is no date."""
    text = (text or "").strip()
    if not text:
        return None
    for fmt in DATE_INPUT_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(str(INVALID_DATE))


# Errors about an uploaded PDF (vanthu.documents.pdf) name no field: they belong next to the file.
FILE_ERROR_CODES = {"empty_file", "file_too_large", "too_many_pages", "not_pdf", "unsupported_file_type", "encrypted_pdf", "corrupt_pdf"}


def apply_error(form: forms.Form, exc: VanThuError) -> None:
    """Show an action's error next to the field it names, or above the form."""
    field = exc.details.get("field")
    if not field and (exc.code in FILE_ERROR_CODES or "marking" in exc.details):
        field = "file"
    if field == "recipient_ids" or "recipient_ids" in exc.details:
        field = "recipient_ids"
    if field and field in form.fields:
        form.add_error(field, exc.message)
    else:
        form.add_error(None, exc.message)


class NoteForm(forms.Form):
    note = TextField(label=_("Ghi chú"), required=False, max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 2}))
