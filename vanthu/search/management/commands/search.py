from django.core.management.base import BaseCommand

from vanthu.search.indexing import reindex_all


class Command(BaseCommand):
    help = "Search index tools: `search reindex` rebuilds every document's index row from the database."

    def add_arguments(self, parser):
        parser.add_argument("subcommand", choices=["reindex"])
        parser.add_argument("--batch", type=int, default=500)

    def handle(self, *args, **opts):
        def progress(n: int) -> None:
            if n % 5000 < opts["batch"]:
                self.stdout.write(f"  {n} documents indexed")

        n = reindex_all(batch=opts["batch"], progress=progress)
        self.stdout.write(f"OK: {n} documents indexed")
