"""Password forms whose save goes through `actions.change_password` (sessions and tokens end)."""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.contrib.auth.forms import AdminPasswordChangeForm, PasswordChangeForm

from . import actions


class OwnPasswordForm(PasswordChangeForm):
    """A person changes their own password, typing the current one first."""

    def __init__(self, user, *args, **kwargs) -> None:
        super().__init__(user, *args, **kwargs)
        # Django's help is an HTML list; the page kit shows plain text.
        self.fields["new_password1"].help_text = " ".join(password_validation.password_validators_help_texts())

    def save(self, commit: bool = True):
        actions.change_password(user=self.user, target=self.user, password=self.cleaned_data["new_password1"])
        return self.user


class AdminSetPasswordForm(AdminPasswordChangeForm):
    """An administrator sets (or disables) the password of a person they administer."""

    def __init__(self, user, *args, actor, **kwargs) -> None:
        super().__init__(user, *args, **kwargs)
        self.actor = actor

    def save(self, commit: bool = True):
        password = self.cleaned_data["password1"] if self.cleaned_data["set_usable_password"] else None
        actions.change_password(user=self.actor, target=self.user, password=password)
        return self.user
