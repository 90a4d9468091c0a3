"""`{% signature_badge document %}`: the signature status of the file that counts, with details."""

from django import template

from vanthu.signatures.actions import signature_report

register = template.Library()


@register.inclusion_tag("signatures/badge.html")
def signature_badge(document) -> dict:
    return {"report": signature_report(document)}
