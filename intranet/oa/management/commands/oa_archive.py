"""`oa_archive export YEAR DIR | verify PACKAGE`: a year's archive as a signed package, and its check."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from exchange.errors import PackageRejected
from intranet.oa.services import archive


class Command(BaseCommand):
    help = "Export a year's archived official documents as a signed package, or verify such a package."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        p = sub.add_parser("export")
        p.add_argument("year", type=int)
        p.add_argument("directory")
        p = sub.add_parser("verify")
        p.add_argument("package")
        p.add_argument("--fingerprint", help="the signer's fingerprint (default: this side's key)")

    def handle(self, *args, **options):
        if options["action"] == "export":
            try:
                path = archive.export_year(options["year"], Path(options["directory"]))
            except ValueError as exc:
                raise CommandError(str(exc)) from None
            self.stdout.write(str(path))
            return
        try:
            vp = archive.verify_export(Path(options["package"]), options["fingerprint"])
        except PackageRejected as exc:
            raise CommandError(f"invalid: {exc.code}: {exc.message}", returncode=1) from None
        self.stdout.write(f"valid: {len(vp.items)} archived document(s), signed by {vp.signer}, "
                          f"manifest sha256 {vp.manifest_sha256}")
