"""A year's days off and make-up working days, as the installation's administrators keep them.

A year with no `CalendarYear` row follows the defaults (`defaults.default_days`) without being
written; the first edit of a year, or seeding it, writes the defaults out and the edit on top.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .defaults import DayKind, TetRule

FIRST_YEAR = 1900
LAST_YEAR = 2199


class CalendarYear(models.Model):
    year = models.PositiveSmallIntegerField(_("năm"), primary_key=True)
    tet_rule = models.CharField(_("cách tính 5 ngày Tết"), max_length=16, choices=TetRule.choices, default=TetRule.FROM_29)
    # Changed by every edit of the year: each process's cache compares it (workdays.py).
    stamp = models.CharField(max_length=32)
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["year"]
        verbose_name = _("lịch làm việc năm")
        verbose_name_plural = _("lịch làm việc năm")

    def __str__(self) -> str:
        return str(self.year)


class SpecialDay(models.Model):
    """A day off that would be a working day (or is shown as a holiday though on a weekend), or
    a Saturday or Sunday that is worked (làm bù)."""

    year = models.ForeignKey(CalendarYear, on_delete=models.CASCADE, related_name="days")
    date = models.DateField(_("ngày"), unique=True)
    kind = models.CharField(_("loại ngày"), max_length=16, choices=DayKind.choices)
    name = models.CharField(_("tên"), max_length=128)

    class Meta:
        ordering = ["date"]
        verbose_name = _("ngày nghỉ, ngày làm bù")
        verbose_name_plural = _("ngày nghỉ, ngày làm bù")

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.name}"
