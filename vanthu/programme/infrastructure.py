"""Each organisation's IT infrastructure: its yearly inventory, the minimum standard the administrator
sets, the gaps against it, and the office's review campaign."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vanthu.audit.chain import record
from vanthu.errors import Unprocessable
from vanthu.notifications.actions import notify
from vanthu.organizations.access import subtree_ids
from vanthu.organizations.models import Organization, Role
from vanthu.text import clean_text

from . import access
from .actions import check_year, people_of
from .models import Backup, Inventory, MinimumStandard, ReviewCampaign, StandardMetric

INVENTORY_NUMBERS = ("computers_under_5", "computers_5_to_8", "computers_over_8", "clerks", "wan_speed_mbps",
                     "it_staff_dedicated", "it_staff_part_time", "it_staff_trained")
INVENTORY_FLAGS = ("wan_connected", "security_software")
DEFAULT_STANDARDS = [
    (StandardMetric.RECENT_COMPUTER_PER_CLERK, 1), (StandardMetric.WAN, 1), (StandardMetric.WAN_SPEED, 20),
    (StandardMetric.SECURITY, 1), (StandardMetric.BACKUP, 1), (StandardMetric.IT_STAFF, 1),
]


def standards(year: int, *, create: bool = False) -> list[MinimumStandard]:
    """The year's minimum standard: as the administrator set it, else last year's, else the default.

    Reading writes nothing (the rules are then unsaved); `create` saves them for the year."""
    rows = list(MinimumStandard.objects.filter(year=year))
    if rows:
        return rows
    previous = MinimumStandard.objects.filter(year__lt=year).order_by("-year").values_list("year", flat=True).first()
    source = ([(s.metric, s.threshold, s.label) for s in MinimumStandard.objects.filter(year=previous)] if previous is not None
              else [(m, t, str(StandardMetric(m).label)) for m, t in DEFAULT_STANDARDS])
    rules = [MinimumStandard(year=year, metric=m, threshold=t, label=label) for m, t, label in source]
    if not create:
        return rules
    MinimumStandard.objects.bulk_create(rules, ignore_conflicts=True)
    return list(MinimumStandard.objects.filter(year=year))


def meets(inv: Inventory, s: MinimumStandard) -> bool:
    """Whether one inventory meets one rule of the standard (pure: the bench reads it for every organisation)."""
    m, t = s.metric, s.threshold
    if m == StandardMetric.RECENT_COMPUTER_PER_CLERK:
        return inv.computers_under_5 >= inv.clerks * t
    if m == StandardMetric.WAN:
        return inv.wan_connected
    if m == StandardMetric.WAN_SPEED:
        return inv.wan_connected and inv.wan_speed_mbps >= t
    if m == StandardMetric.SECURITY:
        return inv.security_software
    if m == StandardMetric.BACKUP:
        return inv.backup in (Backup.REGULAR, Backup.OFFSITE)
    if m == StandardMetric.IT_STAFF:
        return inv.it_staff_dedicated + inv.it_staff_part_time >= t
    if m == StandardMetric.IT_STAFF_TRAINED:
        return inv.it_staff_trained >= t
    return False


@dataclass
class Gaps:
    inventory: Inventory | None
    met: list[MinimumStandard]
    gaps: list[MinimumStandard]

    @property
    def share(self) -> float | None:
        total = len(self.met) + len(self.gaps)
        return None if self.inventory is None or not total else len(self.met) / total


def gaps_for(inventory: Inventory | None, rules: list[MinimumStandard]) -> Gaps:
    if inventory is None:
        return Gaps(None, [], list(rules))
    met = [s for s in rules if meets(inventory, s)]
    return Gaps(inventory, met, [s for s in rules if not any(s is m for m in met)])


def inventory_of(org_id: int, year: int) -> Inventory | None:
    return Inventory.objects.filter(organization_id=org_id, year=year).first()


@transaction.atomic
def save_inventory(*, user, organization_id: int, year: int, values: dict[str, Any]) -> Inventory:
    """The organisation confirms (or updates) its inventory for the year."""
    access.check_side_or_not_found(user, organization_id)
    check_year(year)
    clean: dict[str, Any] = {}
    for name in INVENTORY_NUMBERS:
        if name in values and values[name] is not None:
            n = int(values[name])
            if not 0 <= n <= 100000:
                raise Unprocessable(_("Số liệu không hợp lệ."), code="invalid_number", details={"field": name})
            clean[name] = n
    for name in INVENTORY_FLAGS:
        if name in values and values[name] is not None:
            clean[name] = bool(values[name])
    if values.get("backup") is not None:
        if values["backup"] not in Backup.values:
            raise Unprocessable(_("Cách sao lưu không hợp lệ."), code="invalid_backup", details={"field": "backup"})
        clean["backup"] = values["backup"]
    if values.get("software") is not None:
        clean["software"] = clean_text(values["software"], field="software", max_length=4000, multiline=True)
    inv, _created = Inventory.objects.update_or_create(organization_id=organization_id, year=year,
                                                       defaults={**clean, "confirmed_at": timezone.now(), "confirmed_by": user})
    record("inventory_confirmed", actor=user, obj=inv, data={"organization_id": organization_id, "year": year, **clean})
    return inv


@transaction.atomic
def start_review(*, user, owner_id: int, year: int, due_date: date) -> ReviewCampaign:
    """Ask every organisation under the office to confirm or update its inventory by `due_date`."""
    access.get_org(user, owner_id)
    access.require_office(user, owner_id)
    check_year(year)
    if due_date < timezone.localdate():
        raise Unprocessable(_("Hạn xác nhận đã qua."), code="invalid_due_date", details={"field": "due_date"})
    campaign, _created = ReviewCampaign.objects.update_or_create(owner_id=owner_id, year=year,
                                                                 defaults={"due_date": due_date, "created_by": user})
    standards(year, create=True)
    orgs = subtree_ids({owner_id})
    record("inventory_review_started", actor=user, obj=campaign, data={"year": year, "due_date": due_date, "organizations": len(orgs)})
    notify(people_of(orgs, [Role.CLERK, Role.LEADER, Role.ADMIN]), kind="programme_infrastructure",
           title=_("Rà soát hạ tầng CNTT năm %(y)s, hạn %(d)s") % {"y": year, "d": due_date.strftime("%d/%m/%Y")},
           body=_("Đề nghị xác nhận hoặc cập nhật số liệu hạ tầng của tổ chức."), url="/programme/", obj=campaign,
           org=Organization.objects.get(id=owner_id))
    return campaign
