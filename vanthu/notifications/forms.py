"""The preferences form: one choice of channel per kind of notification."""

from __future__ import annotations

from django import forms

from . import kinds
from .kinds import Channel


class PreferencesForm(forms.Form):
    def __init__(self, *args, current: dict[str, str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for k in kinds.all_kinds():
            self.fields[k.code] = forms.ChoiceField(label=k.label, choices=Channel.choices, initial=current.get(k.code, k.default),
                                                    widget=forms.RadioSelect)
