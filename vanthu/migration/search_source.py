"""Legacy records in the search: the records a person may see whose folded text holds every
clause typed (a phrase as its words side by side), newest first, with the passage that matched.

Registered with `vanthu.search.sources` in `MigrationConfig.ready()`. The match is a substring test
on `search_text` (folded once, at import), as the legacy-records list does; on PostgreSQL a
trigram index serves it (migration 0003).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from vanthu.organizations.access import is_member
from vanthu.search.query import ParsedQuery
from vanthu.search.snippets import highlight
from vanthu.search.sources import COUNT_CAP, OtherGroup, OtherHit

from .access import visible_records

KIND = "legacy_record"


def legacy_records(user, query: ParsedQuery, organization_id: int | None, limit: int) -> OtherGroup:
    qs = visible_records(user)
    if organization_id is not None:
        qs = qs.filter(organization_id=organization_id) if is_member(user, organization_id) else qs.none()
    for clause in query.clauses:
        qs = qs.filter(search_text__contains=" ".join(clause.tokens))
    count = qs.order_by()[: COUNT_CAP + 1].count()
    terms = query.folded_terms
    prefixes = {c.tokens[-1] for c in query.clauses if c.prefix}
    hits = []
    for rec in qs.newest_first().only("id", "title", "text", "modified_at")[:limit] if count else []:
        hits.append(OtherHit(id=rec.id, title=rec.title or _("(không có tiêu đề)"), snippet=highlight(rec.text or rec.title, terms, prefixes),
                             url=reverse("migration:record", args=[rec.id]), day=timezone.localdate(rec.modified_at) if rec.modified_at else None))
    params = {"q": " ".join(terms)} | ({"organization_id": organization_id} if organization_id else {})
    return OtherGroup(kind=KIND, label=_("Hồ sơ cũ từ Lotus Notes"), count=min(count, COUNT_CAP), count_exact=count <= COUNT_CAP,
                      more_url=reverse("migration:records") + "?" + urlencode(params), items=hits)
