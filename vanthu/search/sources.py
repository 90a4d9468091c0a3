"""Other kinds of records that the search finds beside documents.

The index holds documents only. Apps above `search` that keep other searchable records (legacy
records imported from Lotus Notes) register a source in their `AppConfig.ready()`; the search page
and `GET /api/v1/search` show each source's first matches, with their count and a link to the
app's own list of them. A source applies the person's visibility itself, as every list does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from .query import ParsedQuery

MAX_SHOWN = 5  # matches of each source on the first page of results
COUNT_CAP = 1000  # counting stops here ("more than 1000")


@dataclass(frozen=True)
class OtherHit:
    id: int
    title: str
    snippet: str  # built by snippets.highlight: escaped, with <mark> only
    url: str
    day: date | None = None


@dataclass(frozen=True)
class OtherGroup:
    kind: str
    label: str
    count: int
    count_exact: bool
    more_url: str
    items: list[OtherHit] = field(default_factory=list)


# (person, parsed query, organisation to search as or None, how many to show) → one group
Source = Callable[[object, ParsedQuery, int | None, int], OtherGroup]
_SOURCES: dict[str, Source] = {}


def register(kind: str, source: Source) -> None:
    _SOURCES[kind] = source


def search_others(user, query: ParsedQuery, *, organization_id: int | None = None, limit: int = MAX_SHOWN) -> list[OtherGroup]:
    """Each registered source's matches for this person, sources with none left out."""
    if query.empty:
        return []
    groups = [source(user, query, organization_id, limit) for _kind, source in sorted(_SOURCES.items())]
    return [g for g in groups if g.count]
