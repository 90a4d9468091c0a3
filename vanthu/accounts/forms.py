"""Password forms whose save goes through `actions.change_password` (sessions and tokens end)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AdminPasswordChangeForm, PasswordChangeForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from vanthu.organizations.models import Role

from . import actions, passwords


class _VietnameseRules:
    """Django's validators, their refusals in plain Vietnamese (accounts/passwords.py)."""

    def validate_password_for_user(self, user, password_field_name: str = "password2", **kwargs) -> None:
        password = self.cleaned_data.get(password_field_name)
        if password:
            try:
                passwords.validate(password, user)
            except ValidationError as error:
                self.add_error(password_field_name, error)


class OwnPasswordForm(_VietnameseRules, PasswordChangeForm):
    """A person changes their own password, typing the current one first."""

    def __init__(self, user, *args, **kwargs) -> None:
        super().__init__(user, *args, **kwargs)
        self.fields["old_password"].label = _("Mật khẩu hiện tại")
        self.fields["new_password1"].label = _("Mật khẩu mới")
        self.fields["new_password2"].label = _("Nhập lại mật khẩu mới")
        self.fields["new_password1"].help_text = passwords.help_text()
        self.error_messages = {**self.error_messages,
                               "password_incorrect": _("Mật khẩu hiện tại không đúng. Hãy nhập lại."),
                               "password_mismatch": _("Hai lần nhập mật khẩu mới không giống nhau.")}

    def clean_new_password2(self):
        password = self.cleaned_data.get("new_password2")
        if password and password == self.cleaned_data.get("old_password"):
            # The point of the change (a temporary password, a leaked one) is a different one.
            raise ValidationError(_("Mật khẩu mới phải khác mật khẩu hiện tại."), code="password_unchanged")
        return password

    def save(self, commit: bool = True):
        actions.change_password(user=self.user, target=self.user, password=self.cleaned_data["new_password1"])
        return self.user


class AdminSetPasswordForm(_VietnameseRules, AdminPasswordChangeForm):
    """An administrator sets (or disables) the password of a person they administer."""

    def __init__(self, user, *args, actor, **kwargs) -> None:
        super().__init__(user, *args, **kwargs)
        self.actor = actor

    def save(self, commit: bool = True):
        password = self.cleaned_data["password1"] if self.cleaned_data["set_usable_password"] else None
        actions.change_password(user=self.actor, target=self.user, password=password)
        return self.user


class TwoFactorPolicyForm(forms.Form):
    """Which roles must sign in with a second factor (the installation's policy)."""

    roles = forms.MultipleChoiceField(label=_("Vai trò bắt buộc xác thực hai lớp"), choices=Role.choices,
                                      required=False, widget=forms.CheckboxSelectMultiple)
