"""Administrators set the yearly targets, the evaluation criteria and weights, and manual scores."""

from django.contrib import admin

from .models import Criterion, EvaluationSettings, ManualScore, Target


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ("year", "electronic_share", "authenticated_share", "note")


@admin.register(Criterion)
class CriterionAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "source", "weight", "is_active", "sort_order")
    list_editable = ("weight", "is_active")


@admin.register(ManualScore)
class ManualScoreAdmin(admin.ModelAdmin):
    list_display = ("criterion", "organization", "year", "value")
    list_filter = ("year", "criterion")
    autocomplete_fields = ()


@admin.register(EvaluationSettings)
class EvaluationSettingsAdmin(admin.ModelAdmin):
    list_display = ("year", "commendation_min_score", "commendation_max_count")
