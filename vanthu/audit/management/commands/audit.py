from django.core.management.base import BaseCommand, CommandError

from vanthu.audit.chain import verify


class Command(BaseCommand):
    help = "Audit log tools: `audit verify` checks the hash chain."

    def add_arguments(self, parser):
        parser.add_argument("subcommand", choices=["verify"])

    def handle(self, *args, **opts):
        result = verify()
        if result.ok:
            self.stdout.write(f"OK: {result.checked} entries, chain intact")
            return
        raise CommandError(
            f"BROKEN at entry #{result.broken_seq}: {result.reason} ({result.checked} entries verified before it)"
        )
