"""Django's password validators, with their refusals said in plain Vietnamese.

Django's own Vietnamese catalogue leaves some of these messages in English (the plural "too
short"), and words them for programmers; every VanThu form and action shows these instead. A
validator not listed here keeps Django's message.
"""

from __future__ import annotations

import secrets

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def _min_length() -> int:
    for v in password_validation.get_default_password_validators():
        if hasattr(v, "min_length"):
            return v.min_length
    return 0


def _message(error: ValidationError) -> str:
    code = error.code or ""
    if code == "password_too_short":
        return _("Mật khẩu quá ngắn: cần ít nhất %(n)s ký tự.") % {"n": _min_length()}
    if code == "password_too_similar":
        return _("Mật khẩu quá giống tên đăng nhập, họ tên hoặc thư điện tử của bạn.")
    if code == "password_too_common":
        return _("Mật khẩu này quá phổ biến, người khác dễ đoán ra.")
    if code == "password_entirely_numeric":
        return _("Mật khẩu không được chỉ gồm chữ số: hãy thêm chữ cái.")
    return " ".join(error.messages)


def validate(password: str, user=None) -> None:
    """Raise ValidationError with one Vietnamese sentence per rule the password breaks."""
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError([_message(e) for e in exc.error_list], code="weak_password") from None


def help_text() -> str:
    """The rules, as one plain sentence (the page kit shows help as text, not an HTML list)."""
    return _("Ít nhất %(n)s ký tự, không chỉ gồm chữ số, không quá giống tên của bạn và không phải mật khẩu phổ biến.") % {
        "n": _min_length()}


def temporary() -> str:
    """A password for a person's first sign-in only (they must change it): easy to read out and
    type, 14 letters and digits, none of the ambiguous ones (0/O, 1/l/I)."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    groups = ["".join(secrets.choice(alphabet) for _i in range(4)) for _g in range(3)]
    word = "-".join(groups)
    if word.replace("-", "").isdigit():  # practically never: digits are 8 of 31 signs
        return temporary()
    return word


