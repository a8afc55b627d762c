"""`exchange keygen | trust KEYFILE | export | import | verify PACKAGE | status [--json] | resend FROM TO | prune`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from exchange import conf
from exchange.errors import ExchangeError, PackageRejected
from exchange.services import inbox, keys, outbox, retention, runs
from exchange.services.status import status


class Command(BaseCommand):
    help = "Operate the signed document exchange of this side."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        p = sub.add_parser("keygen", help="create this side's signing key if it has none")
        p.add_argument("--rotate", action="store_true",
                       help="make a new key and announce it on every outbound channel, signed by the current key")
        p = sub.add_parser("trust", help="pin the public key in KEYFILE for inbound channel(s)")
        p.add_argument("keyfile")
        p.add_argument("--channel", action="append", default=[], help="inbound channel (repeatable)")
        p.add_argument("--fingerprint", help="refuse the key unless it has this fingerprint")
        p.add_argument("--label", default="")
        p = sub.add_parser("export", help="write every pending outbound package into its ferry")
        p.add_argument("--channel", action="append", default=[])
        p = sub.add_parser("import", help="read, verify and apply every inbound ferry")
        p.add_argument("--channel", action="append", default=[])
        p = sub.add_parser("verify", help="check one package file without applying it")
        p.add_argument("package")
        p.add_argument("--channel")
        p = sub.add_parser("status", help="per channel sequence numbers, gaps and quarantine")
        p.add_argument("--json", action="store_true")
        p = sub.add_parser("resend", help="write packages FROM..TO into the ferry again")
        p.add_argument("first", metavar="FROM", type=int)
        p.add_argument("last", metavar="TO", type=int)
        p.add_argument("--channel", default=None)
        p = sub.add_parser("prune", help="remove expired packages this side wrote from its outbound ferries, and "
                                          "(without --channel) archived packages nothing refers to")
        p.add_argument("--channel", action="append", default=[])
        p.add_argument("--dry-run", action="store_true", help="only list what would be removed")
        sub.add_parser("heartbeat", help="queue a heartbeat on every heartbeat channel")
        sub.add_parser("pubkey", help="print this side's public key")

    def handle(self, *args, **options):
        action = options["action"]
        self.verbosity = options["verbosity"]
        try:
            return getattr(self, f"do_{action}")(options)
        except ExchangeError as exc:
            raise CommandError(str(exc)) from None

    def _progress(self, label: str):
        def report(done: int, total: int) -> None:
            if total >= 20 and (done == total or done % max(1, total // 20) == 0):
                sys.stderr.write(f"{label}: {done}/{total}\n")

        return report if self.verbosity >= 1 else None

    def do_keygen(self, options):
        fpr, created = keys.keygen(rotate=options["rotate"])
        verb = "created" if created else "exists"
        self.stdout.write(f"{conf.side()} key {verb}: {fpr}\npublic key: {keys.public_key_path()}")
        if options["rotate"]:
            self.stdout.write("The rotation is announced in the next package of each outbound channel (run export).")

    def do_trust(self, options):
        channels = options["channel"] or conf.inbound()
        if not options["channel"] and len(channels) != 1:
            raise CommandError(f"name the channel(s) with --channel: {', '.join(conf.inbound())}")
        data = Path(options["keyfile"]).read_bytes()
        fpr = keys.trust(data, channels, expected=options["fingerprint"], label=options["label"])
        self.stdout.write(f"pinned {fpr} for {', '.join(channels)}")

    def do_export(self, options):
        channels = options["channel"] or conf.outbound()
        with runs.run_lock("export"):
            for channel in channels:
                if channel not in conf.outbound():
                    raise CommandError(f"{channel} is not an outbound channel of the {conf.side()}")
                packages = outbox.export_channel(channel, self._progress(f"export {channel}"))
                for p in packages:
                    self.stdout.write(f"{channel} #{p.seq} {p.file_name} ({p.item_count} items, {p.size} bytes)")
                if self.verbosity >= 1:
                    self.stdout.write(f"{channel}: {len(packages)} package(s) written")

    def do_import(self, options):
        report = inbox.ImportReport()
        with runs.run_lock("import"):
            for channel in options["channel"] or conf.inbound():
                if channel not in conf.inbound():
                    raise CommandError(f"{channel} is not an inbound channel of the {conf.side()}")
                inbox.import_channel(channel, report, self._progress(f"import {channel}"))
        for channel, seq in report.applied:
            self.stdout.write(f"applied {channel} #{seq}")
        for channel, seq in report.duplicates:
            self.stdout.write(f"duplicate {channel} #{seq} (already applied, not applied again)")
        for channel, seq in report.held:
            self.stdout.write(f"held {channel} #{seq} (waiting for the missing packages before it)")
        for channel, name, code, message in report.rejected:
            self.stderr.write(f"rejected {channel} {name}: {code}: {message}")
        if not report.ok:
            raise CommandError(f"{len(report.rejected)} package(s) rejected and quarantined", returncode=1)

    def do_prune(self, options):
        with runs.run_lock("export"), runs.run_lock("import"):  # as the periodic task: between runs
            report = retention.prune(options["channel"] or None, dry_run=options["dry_run"])
        verb = "would remove" if options["dry_run"] else "removed"
        for channel, name in report.removed:
            self.stdout.write(f"{verb} {channel} {name}")
        for name in report.archive_removed:
            self.stdout.write(f"{verb} archive {name}")
        if self.verbosity >= 1:
            self.stdout.write(f"{len(report.removed)} file(s) {verb}; {report.kept} package(s) kept in the ferries")
            self.stdout.write(f"{len(report.archive_removed)} archived package(s) {verb}; {report.archive_kept} "
                              "unused for a package lifetime kept (records refer to them)")

    def do_verify(self, options):
        try:
            vp = inbox.verify_file(Path(options["package"]), options["channel"])
        except PackageRejected as exc:
            self.stderr.write(f"invalid: {exc.code}: {exc.message}")
            sys.exit(1)
        self.stdout.write(f"valid: {vp.channel} #{vp.seq} {vp.uuid} signed by {vp.signer}, {len(vp.items)} item(s), "
                          f"manifest sha256 {vp.manifest_sha256}")

    def do_status(self, options):
        data = status()
        if options["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"{data['side']} key {data['own_fingerprint'] or '(none: run exchange keygen)'}")
        for name, ch in data["channels"].items():
            if ch["direction"] == "out":
                self.stdout.write(f"  {name:<14} out  last sent #{ch['last_sent_seq']}, {ch['pending_items']} "
                                  f"message(s) pending")
            else:
                alarm = "  HEARTBEAT ALARM" if ch["heartbeat_alarm"] else ""
                self.stdout.write(f"  {name:<14} in   last applied #{ch['last_applied_seq']}, seen "
                                  f"#{ch['last_sent_seq']}, gaps {ch['gaps'] or 'none'}, held {len(ch['held'])}, "
                                  f"quarantined {ch['quarantined']}{alarm}")

    def do_resend(self, options):
        channel = options["channel"] or conf.primary_outbound()
        written, problems = outbox.resend(channel, options["first"], options["last"], self._progress("resend"))
        self.stdout.write(f"{channel}: {written} package(s) written again")
        for problem in problems:
            self.stderr.write(problem)
        if problems and not written:
            raise CommandError("nothing was written", returncode=1)

    def do_heartbeat(self, options):
        items = outbox.queue_heartbeats()
        self.stdout.write(f"{len(items)} heartbeat(s) queued")

    def do_pubkey(self, options):
        self.stdout.write(keys.export_public_key().read_text())
