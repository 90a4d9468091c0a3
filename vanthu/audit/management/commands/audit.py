from django.core.management.base import BaseCommand, CommandError

from vanthu.audit import checkpoints
from vanthu.audit.tasks import run_check


class Command(BaseCommand):
    help = ("Audit log tools: `audit verify` checks the hash chain against the signed checkpoints "
            "outside the database, then checkpoints the head.")

    def add_arguments(self, parser):
        parser.add_argument("subcommand", choices=["verify"])

    def handle(self, *args, **opts):
        outcome = run_check()
        result = outcome.result
        if not result.ok:
            raise CommandError(
                f"BROKEN at entry #{result.broken_seq}: {result.reason} ({result.checked} entries verified before it)"
            )
        self.stdout.write(f"OK: {result.checked} entries, chain intact")
        if result.anchors:
            self.stdout.write(f"   {result.anchors} signed checkpoints match (the newest names entry #{result.anchored_seq})")
        if outcome.written is not None:
            self.stdout.write(f"   checkpoint written for entry #{outcome.written.seq}: {outcome.written.name}"
                              f" (key {checkpoints.installation_key_id()})")
