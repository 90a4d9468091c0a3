"""The two registers (sổ văn bản đi, sổ văn bản đến) as an organisation keeps them.

A register is chosen by a period key: `t<term>` (an outgoing register of a party-style
organisation runs per term, its numbers restarting each term) or `y<year>`; and optionally a
document type. The page shows a register a page at a time; its print and exports (reports) read
the same query whole, so that what is printed is what the page pages through.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from vanthu.errors import Unprocessable
from vanthu.organizations.models import NumberingStyle, Organization

from .models import Delivery, Document


def _years(dates) -> list[int]:
    this_year = timezone.localdate().year
    return sorted({this_year, *(d.year for d in dates)}, reverse=True)


def outgoing_periods(org: Organization) -> list[tuple[str, str]]:
    """(key, label) of the outgoing registers the organisation has, the current one first."""
    years = _years(Document.objects.issued_by(org.id).filter(number__isnull=False).dates("issued_date", "year")[:50])
    periods = [(f"y{y}", _("Năm %(y)s") % {"y": y}) for y in years]
    if org.numbering_style == NumberingStyle.PARTY:
        periods.insert(0, (f"t{org.term_key()}", _("Nhiệm kỳ %(t)s") % {"t": org.term_label or org.term_key()}))
    return periods


def incoming_periods(org: Organization) -> list[tuple[str, str]]:
    """(key, label) of the incoming registers (one series a year), this year first."""
    keys = Delivery.objects.for_organization(org.id).registered().values_list("incoming_key", flat=True).distinct()[:50]
    years = sorted({timezone.localdate().year, *(int(k[3:]) for k in keys if k[3:].isdigit())}, reverse=True)
    return [(f"y{y}", _("Năm %(y)s") % {"y": y}) for y in years]


def _check(period: str) -> None:
    if not (len(period) > 1 and period[0] in "ty" and (period[0] == "t" or period[1:].isdigit())):
        raise Unprocessable(_("Kỳ của sổ không hợp lệ."), code="invalid_register_period", details={"field": "period"})


def outgoing(org: Organization, period: str, doc_type: str = "") -> QuerySet[Document]:
    """The outgoing register of `period`, by type then number, as it is printed."""
    _check(period)
    qs = Document.objects.issued_by(org.id).filter(number__isnull=False)
    if period.startswith("t"):
        qs = qs.filter(register_key__endswith=f":{period[1:]}")
    else:
        qs = qs.filter(issued_date__year=int(period[1:]))
    if doc_type:
        qs = qs.filter(doc_type__code=doc_type)
    return (qs.select_related("doc_type").prefetch_related("recipients")
            .order_by("doc_type__sort_order", "doc_type__code", "number"))


def incoming(org: Organization, period: str, doc_type: str = "") -> QuerySet[Delivery]:
    """The incoming register of the year `period`, by incoming number."""
    _check(period)
    if not period.startswith("y"):
        raise Unprocessable(_("Sổ văn bản đến mở theo năm."), code="invalid_register_period", details={"field": "period"})
    qs = Delivery.objects.for_organization(org.id).registered().filter(incoming_key=f"in:{period[1:]}")
    if doc_type:
        qs = qs.filter(document__doc_type__code=doc_type)
    return qs.with_document().order_by("incoming_number")
