"""Every date a person types is the same control: a dd/mm/yyyy text box (the calendar button comes
from vanthu.js), never the browser's <input type="date">, whose look and order of day and month
follow the browser's language rather than Vietnamese practice."""

from __future__ import annotations

import importlib
import re
from datetime import date
from pathlib import Path

from django import forms
from django.template import Context, Template
from django.utils import translation

from vanthu.ui.forms import VnDateField, VnDateInput, parse_day

ROOT = Path(__file__).resolve().parents[2]


def test_no_template_uses_the_browsers_date_input():
    offenders = [str(p.relative_to(ROOT)) for p in ROOT.rglob("*.html")
                 if re.search(r"""type=["']?(date|datetime-local)\b""", p.read_text(encoding="utf-8"))]
    assert not offenders, offenders


def test_every_date_field_of_every_form_is_the_dd_mm_yyyy_box():
    offenders = []
    for path in sorted(ROOT.glob("*/forms.py")):
        module = importlib.import_module(f"vanthu.{path.parent.name}.forms")
        for name, cls in vars(module).items():
            if isinstance(cls, type) and issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                for field_name, field in cls.base_fields.items():
                    if isinstance(field, forms.DateField) and not isinstance(field.widget, VnDateInput):
                        offenders.append(f"{module.__name__}.{name}.{field_name}")
    assert not offenders, offenders


def test_the_hand_written_date_box_is_the_forms_box():
    with translation.override("vi"):
        hand = Template('{% load vanthu_ui %}{% date_box "day" d id="x" %}').render(Context({"d": date(2026, 3, 5)}))
        form = VnDateField().widget.render("day", date(2026, 3, 5), attrs={"id": "x"})
    attrs = lambda html: dict(re.findall(r'([a-z-]+)="([^"]*)"', html))  # noqa: E731
    assert attrs(hand) == attrs(form)
    assert attrs(hand)["value"] == "05/03/2026" and attrs(hand)["class"] == "input-date"
    assert attrs(hand)["data-picker-label"] == "Chọn ngày trên lịch"


def test_a_typed_date_is_read_day_first():
    assert parse_day("05/03/2026") == date(2026, 3, 5)
    assert parse_day("5/3/2026") == date(2026, 3, 5)
    assert parse_day("2026-03-05") == date(2026, 3, 5)  # the links between pages carry ISO dates
    assert parse_day("") is None
    for bad in ("31/02/2026", "2026/13/01", "hôm qua"):
        try:
            with translation.override("vi"):  # whatever language an earlier test left active
                parse_day(bad)
        except ValueError as exc:
            assert "Ngày không hợp lệ" in str(exc)
        else:
            raise AssertionError(bad)
