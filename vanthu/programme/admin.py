"""Administrators edit each year's inspection checklist and the infrastructure minimum standard.

The rest of the programme changes through its pages and API (actions, audited); the checklist and
the standard are the Bloc's rules for the year, set before inspections and reviews begin."""

from django.contrib import admin

from .models import ChecklistItem, MinimumStandard


@admin.register(ChecklistItem)
class ChecklistItemAdmin(admin.ModelAdmin):
    list_display = ("year", "sort_order", "code", "area", "title", "max_score")
    list_editable = ("max_score",)
    list_filter = ("year",)


@admin.register(MinimumStandard)
class MinimumStandardAdmin(admin.ModelAdmin):
    list_display = ("year", "metric", "threshold", "label")
    list_editable = ("threshold",)
    list_filter = ("year",)
