"""One rule for free text that people and programs send in, with three faces.

The rule (`TextRule.clean`):
- refused, with the position of the first one: C0 control characters (NUL above all: PostgreSQL
  cannot store it, and no XML document can hold it), DEL and the C1 controls (U+007F-U+009F), lone
  UTF-16 surrogates (JSON can carry them, UTF-8 cannot: the database driver fails on them), and
  U+FFFE/U+FFFF (not characters in XML). A multi-line field keeps newlines and tabs (a carriage
  return, as a browser sends it from a text area, becomes a newline); a single-line field folds
  every run of white space into one space; a secret (a password, a token) keeps everything it is
  sent as sent, and refuses every control character.
- normalised: to NFC (Vietnamese typed on some systems arrives decomposed; the same words must
  compare, search and count alike), and stripped at both ends. A secret is never changed.
- refused when longer than the field's limit (counted in characters after normalising), never
  cut: what a person wrote is kept whole or not at all.

The faces, so that every door applies the same rule:
- actions: `clean_text(value, field=..., max_length=...)` raises `Unprocessable` (422) naming the
  field and the limit;
- API schemas (django-ninja/pydantic): the types `Line(n)`, `Text(n)`, `Secret(n)`, which give a
  422 `validation_error` naming the field and publish `maxLength` in the OpenAPI document;
- page forms: `LineField`, `TextField`, whose errors are shown next to the field in Vietnamese.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from pydantic_core import PydanticCustomError, core_schema

from vanthu.errors import Unprocessable

# Notes and reasons (a delivery's reject reason, a leader's instructions, a recall's reason) are
# TextFields in the database: their limit is ours, the same wherever a note is written.
NOTE_MAX = 2000

INVALID_CHARACTERS = "invalid_characters"
TEXT_TOO_LONG = "text_too_long"

# DEL, the C1 controls, lone surrogates and the two noncharacters XML refuses, in every field.
_ALWAYS = "\x7f-\x9f\ud800-\udfff\ufffe\uffff"
# Every C0 control but tab, newline and carriage return: a line folds those into spaces, a note
# keeps tabs and newlines (a carriage return becomes a newline).
_REFUSED = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f{_ALWAYS}]")
_REFUSED_SECRET = re.compile(f"[\x00-\x1f{_ALWAYS}]")  # every control character
_NEWLINES = re.compile("\r\n?")


class TextRefused(ValueError):
    """The text breaks the rule. `problem()` says how, without naming the field."""

    def __init__(self, code: str, **context: Any) -> None:
        super().__init__(code)
        self.code = code
        self.context = context

    def problem(self) -> str:
        if self.code == TEXT_TOO_LONG:
            return _("Dài quá giới hạn: tối đa %(max_length)s ký tự, đã nhập %(length)s.") % self.context
        return _("Có ký tự không hợp lệ (ký tự điều khiển hoặc mã ký tự hỏng) ở vị trí %(position)s.") % self.context


@dataclass(frozen=True)
class TextRule:
    max_length: int
    multiline: bool = False
    secret: bool = False

    def clean(self, value: str) -> str:
        """The text as it is to be stored, or TextRefused."""
        bad = (_REFUSED_SECRET if self.secret else _REFUSED).search(value)
        if bad is not None:
            raise TextRefused(INVALID_CHARACTERS, position=bad.start() + 1, character=f"U+{ord(bad.group()):04X}")
        if not self.secret:
            value = unicodedata.normalize("NFC", value)
            value = _NEWLINES.sub("\n", value).strip() if self.multiline else " ".join(value.split())
        if len(value) > self.max_length:
            raise TextRefused(TEXT_TOO_LONG, max_length=self.max_length, length=len(value))
        return value


def is_clean(value: str) -> bool:
    """Whether the text has no character the rule refuses (its length is not looked at)."""
    return _REFUSED.search(value) is None


def without_refused(value: str) -> str:
    """The text without any control character or other character the rule refuses: for names
    nobody typed here (an uploaded file's name, a certificate's common name), kept, not refused."""
    return _REFUSED_SECRET.sub("", value)


# --- actions ---------------------------------------------------------------------------------------

def clean_text(value: str | None, *, field: str, max_length: int, multiline: bool = False,
               label: str | None = None) -> str:
    """`value` by the rule, or Unprocessable (422) naming the field (`label` in the message, for
    people; `field` in the details, for programs) and what is wrong."""
    try:
        return TextRule(max_length, multiline=multiline).clean(value or "")
    except TextRefused as exc:
        raise Unprocessable(_("%(field)s: %(problem)s") % {"field": label or f"“{field}”", "problem": exc.problem()},
                            code=exc.code, details={"field": field, **exc.context}) from None


# --- API schemas -----------------------------------------------------------------------------------

@functools.cache
def _schema_type(rule: TextRule) -> type:
    """A type for schemas and django-ninja parameters, validated by `rule`.

    A class rather than `Annotated[str, …]`: django-ninja rebuilds a parameter's field from its
    annotation's metadata and then loses the parameter's default (`Form[Annotated[…]] = ""` would
    be required)."""

    def check(value: str) -> str:
        try:
            return rule.clean(value)
        except TextRefused as exc:
            # The message is final text (no {placeholders}); the context goes to the error's details.
            raise PydanticCustomError(exc.code, exc.problem().replace("{", "(").replace("}", ")"), exc.context) from None

    class RuledText(str):
        @classmethod
        def __get_pydantic_core_schema__(cls, _source: Any, _handler: Any) -> core_schema.CoreSchema:
            return core_schema.no_info_after_validator_function(check, core_schema.str_schema())

        @classmethod
        def __get_pydantic_json_schema__(cls, schema: core_schema.CoreSchema, handler: Any) -> dict:
            published = handler(schema)
            published["maxLength"] = rule.max_length  # the check itself is the rule's, in Vietnamese
            return published

    RuledText.__name__ = RuledText.__qualname__ = f"{'Secret' if rule.secret else 'Text' if rule.multiline else 'Line'}{rule.max_length}"
    return RuledText


def Line(max_length: int) -> type:  # noqa: N802 - used as a type: `subject: Line(2000)`
    """A single line of text in an API schema (white space folded)."""
    return _schema_type(TextRule(max_length))


def Text(max_length: int) -> type:  # noqa: N802
    """Text that may hold several lines and tabs in an API schema (a note, a reason)."""
    return _schema_type(TextRule(max_length, multiline=True))


def Secret(max_length: int) -> type:  # noqa: N802
    """A password, a code or a token in an API schema: refused if it holds a control character,
    otherwise never changed."""
    return _schema_type(TextRule(max_length, secret=True))


# --- page forms ------------------------------------------------------------------------------------

class LineField(forms.CharField):
    """A form field for a single line of text by the rule; its errors are in Vietnamese."""

    multiline = False

    def __init__(self, *, max_length: int, **kwargs: Any) -> None:
        # Not Django's own max_length check (it would count before normalising, in its own words).
        super().__init__(strip=False, **kwargs)
        self.max_length = max_length
        self.widget.attrs.setdefault("maxlength", str(max_length))

    def to_python(self, value: Any) -> str:
        value = super().to_python(value)
        try:
            return TextRule(self.max_length, multiline=self.multiline).clean(value)
        except TextRefused as exc:
            raise forms.ValidationError(exc.problem(), code=exc.code) from None


class TextField(LineField):
    """A form field for text of several lines (shown as a text area unless told otherwise)."""

    multiline = True
    widget = forms.Textarea
