from django.core.management.base import BaseCommand

from extranet.procurement.services import bids


class Command(BaseCommand):
    help = "Send the list of bids in force for every tender whose bid deadline has passed (idempotent)."

    def handle(self, *args, **options):
        for tender_id in bids.close_due_tenders():
            self.stdout.write(f"closed {tender_id}")
