"""Form pieces shared by every page: dates typed as dd/mm/yyyy, errors from actions."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from vanthu.errors import VanThuError
from vanthu.text import NOTE_MAX, TextField

DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%d/%m/%y"]


class VnDateInput(forms.DateInput):
    """A plain text box for dd/mm/yyyy: faster to type than a date picker, and the same in every browser."""

    input_type = "text"

    def __init__(self, attrs: dict | None = None) -> None:
        base = {"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "autocomplete": "off", "class": "input-date"}
        super().__init__(attrs={**base, **(attrs or {})}, format="%d/%m/%Y")


class VnDateField(forms.DateField):
    widget = VnDateInput
    default_error_messages = {"invalid": _("Ngày không hợp lệ, hãy nhập theo dạng ngày/tháng/năm, ví dụ 05/11/2026.")}

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("input_formats", DATE_INPUT_FORMATS)
        super().__init__(**kwargs)


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
