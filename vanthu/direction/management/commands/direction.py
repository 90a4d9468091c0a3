"""`vanthu manage direction rebuild`: recompute the follow-up's figures per (board, organisation)."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction

from vanthu.direction import tallies


class Command(BaseCommand):
    help = "Rebuild the follow-up's figures per board and organisation from the tasks."

    def add_arguments(self, parser) -> None:
        parser.add_argument("subcommand", choices=["rebuild"])

    def handle(self, *args, subcommand: str, **options) -> None:
        # One transaction: rebuild() holds the directives' locks until the figures are written.
        with transaction.atomic():
            kept = tallies.rebuild()
        self.stdout.write(f"rebuilt: {kept} rows")
