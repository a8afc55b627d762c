"""Rebuild the search index from the database, with progress."""

from django.core.management.base import BaseCommand

from search.services.rebuild import rebuild


class Command(BaseCommand):
    help = "Derive search entries again from their sources and rebuild the search index."

    def add_arguments(self, parser):
        parser.add_argument("--index-only", action="store_true",
                            help="Only rebuild the index from the existing entries.")

    def handle(self, *args, index_only=False, **options):
        last = {"pct": -1}

        def progress(stage: str, done: int, total: int):
            if stage.startswith("source:"):
                self.stdout.write(f"{stage[7:]}: {done} entries")
                return
            pct = 100 if not total else done * 100 // total
            if pct != last["pct"] and (pct % 5 == 0 or done == total):
                last["pct"] = pct
                self.stdout.write(f"indexed {done}/{total} ({pct}%)")

        report = rebuild(progress, derive=not index_only)
        self.stdout.write(self.style.SUCCESS(
            f"done: {report['indexed']} entries indexed, {report['removed']} stale entries removed"))
