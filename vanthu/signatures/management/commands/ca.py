"""`vanthu ca init`: the demo certificate authority and certificates for demo people and organisations."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from vanthu.signatures.ca import ensure_demo_ca


class Command(BaseCommand):
    help = "Demo certificate authority: `init` creates the root and issues missing certificates (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("subcommand", choices=["init"])

    def handle(self, *args, **options):
        issued = ensure_demo_ca()
        self.stdout.write(
            f"Demo CA ready: {issued['people']} person certificate(s), "
            f"{issued['organizations']} organisation certificate(s) issued."
        )
