"""`{% load search_tags %}`: the search box, and a document's index / OCR progress."""

from __future__ import annotations

from django import template

from vanthu.search.indexing import index_status

register = template.Library()


@register.inclusion_tag("search/_box.html", takes_context=True)
def search_box(context) -> dict:
    request = context.get("request")
    return {"q": request.GET.get("q", "") if request is not None else ""}


@register.inclusion_tag("search/_status.html")
def search_status(document) -> dict:
    """Where OCR of the document's scanned files stands, and whether it is in the index yet."""
    return index_status(document.id)
