"""`vanthu manage reports rebuild|check`: recompute the statistics aggregates from the raw records."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from vanthu.reports import aggregates


class Command(BaseCommand):
    help = "Rebuild (or check) the statistics aggregates from documents and deliveries."

    def add_arguments(self, parser) -> None:
        parser.add_argument("subcommand", choices=["rebuild", "check"])

    def handle(self, *args, subcommand: str, **options) -> None:
        if subcommand == "rebuild":
            counts = aggregates.rebuild(say=lambda m: self.stderr.write(m))
            self.stdout.write("rebuilt: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
            return
        if aggregates.snapshot() != aggregates.expected():
            raise CommandError("aggregates differ from the raw records; run `vanthu manage reports rebuild`")
        self.stdout.write("aggregates match the raw records")
