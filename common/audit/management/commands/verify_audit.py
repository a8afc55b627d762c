from django.core.management.base import BaseCommand, CommandError

from common.audit.models import AuditEvent
from common.audit.services import verify_chain


class Command(BaseCommand):
    help = "Verify the hash chain of the audit log; exit 1 if any row was changed, removed or inserted."

    def handle(self, *args, **options):
        problems = list(verify_chain())
        count = AuditEvent.objects.count()
        for problem in problems:
            self.stderr.write(f"audit row {problem.seq}: {problem.message}")
        if problems:
            raise CommandError(f"audit log verification FAILED: {len(problems)} problem(s) in {count} rows")
        self.stdout.write(f"audit log OK: {count} rows, chain intact")
