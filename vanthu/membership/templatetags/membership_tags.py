"""Small filters of the member pages."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: dict, key: Any) -> Any:
    """`d|get_item:"gender.female"`: a key templates cannot spell with dots."""
    return mapping.get(key, 0) if isinstance(mapping, dict) else ""
