"""`vanthu manage programme rebuild [--year Y]`: recompute the acknowledgement tallies."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from vanthu.programme import tallies


class Command(BaseCommand):
    help = "Rebuild the programme's acknowledgement tallies from the acknowledgements."

    def add_arguments(self, parser) -> None:
        parser.add_argument("subcommand", choices=["rebuild"])
        parser.add_argument("--year", type=int, default=None)

    def handle(self, *args, subcommand: str, year: int | None = None, **options) -> None:
        self.stdout.write(f"rebuilt: {tallies.rebuild(year)} tallies")
