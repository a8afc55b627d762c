"""Exchange throughput: export + verify + import of 1,000 items with attachments, against the raw
rate of `gpg --verify` on the same package files, measured in the same run.

    .venv/bin/python bench/exchange.py [--rounds 5] [--items 1000] [--per-package 10] [--attachment-kib 64] [--dir DIR]

Everything happens in a fresh directory made inside DIR (default: JINCAI_DATA_DIR, else ./var: the
file system the deployment's state lives on), removed afterwards. Where the directory is matters:
creating a file costs from 0.02 to nearly 1 ms on ext4 depending on where on the disk the directory
lies, and an export creates two files per package (outbox copy, ferry copy) and an import one (the
archived package, which holds its attachments), so the figures name the directory they were taken in.

The sender (intranet, to-extranet) and the receiver (extranet) share one SQLite database here, as
the in-process tests do; each has its own GnuPG home and state directory. DEBUG is off, as in
production. Figures:

- export: the queue is packed, signed and written into the ferry: one OpenPGP signature per
  package made by GnuPG (gpg-agent, over one connection per export), every body checked against its
  schema and classification again, each outbox copy and each ferry file flushed to disk, and each
  directory once per batch (signing and writing run in the exporter's worker threads);
- import: every ferry file copied into private storage (memory, for packages this size) and
  verified (the manifest signature checked in-process by Sequoia against the pinned certificate,
  SHA-256 of the whole file and of every member, content sniffing, schemas and classification
  checks, HTML sanitizing, the package archived once with its attachments) in worker processes (threads with
  --verify-threads), then applied strictly in order, each package all or nothing with the
  high-water mark, a run of packages per commit;
- verify: the standalone `exchange verify` check of every package (what an operator may run);
- raw gpg: `gpg --verify` of a detached signature over each whole package file, one process per
  package, sequentially - the least any importer that verifies the same bytes with GnuPG must do.

Before the timed rounds, an untimed export and import of 20 items warms the process up, as a
deployment's long-lived worker is warm: the first export and import in a process compile the
message schemas and the ORM's queries and load libraries (about 1-2 ms per package of the first
100). Each timed export and import then does all of its work: a new gpg-agent connection, new
verify processes, every package signed, written, verified and applied.

Each round queues new items and measures everything above, its baseline included, one step right
after the other: on a shared machine every rate here moves by 20-30% from one minute to the next,
the baseline too, and a ratio of rates taken together moves less than either. Every round is
printed; the goal is judged on the median of the rounds' ratios: an end-to-end rate (export +
import) of at least half the raw gpg rate.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django(data_dir: Path) -> None:
    os.environ["JINCAI_DATA_DIR"] = str(data_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "intranet.settings"
    for name in ("DATABASE_URL", "CELERY_BROKER_URL", "SEARCH_URL", "REDIS_URL"):
        os.environ.pop(name, None)
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.conf import settings

    # As in production: no per-query logging (development settings turn DEBUG on).
    settings.DEBUG = False


FINGERPRINTS: dict[str, str] = {}
WARMUP_ITEMS = 20


def act_as(side: str, data_dir: Path) -> None:
    """Switch the process to one side: its GnuPG home, state directory and signing key."""
    from django.conf import settings

    from exchange.models import LocalKey
    from exchange.services import keys

    settings.JINCAI_SIDE = side
    settings.JINCAI_EXCHANGE_GNUPG_HOME = str(data_dir / side / "gnupg")
    settings.JINCAI_EXCHANGE_STATE_DIR = str(data_dir / side / "exchange")
    LocalKey.objects.update(active=False)
    if side in FINGERPRINTS:
        LocalKey.objects.filter(fingerprint=FINGERPRINTS[side]).update(active=True)
    else:
        FINGERPRINTS[side] = keys.keygen()[0]


def register_bench_type() -> None:
    """``bench.document`` v1: the policy schema and checks, applied by the exchange's built-in handler
    (so that other apps' reactions to real policy messages, such as search indexing, are not timed)."""
    from exchange import registry
    from exchange.messages.portal import POLICY_PUBLISH_V1, _public_only
    from exchange.messages.store import store_record

    registry.register("bench.document", 1, schema=POLICY_PUBLISH_V1, channels=["to-extranet"],
                      classification_check=_public_only, html_fields=("body_html",), apply=store_record)


def pdf_like(n: int, size: int) -> bytes:
    head = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
    return head + os.urandom(size - len(head) - 6) + b"\n%%EOF"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--per-package", type=int, default=10)
    parser.add_argument("--attachment-kib", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=5,
                        help="measurements, each of new items against its own raw gpg baseline")
    parser.add_argument("--verify-threads", action="store_true",
                        help="verify in worker threads, as a small import does, instead of processes")
    parser.add_argument("--dir", type=Path, default=Path(os.environ.get("JINCAI_DATA_DIR") or ROOT / "var"))
    args = parser.parse_args()

    args.dir.mkdir(parents=True, exist_ok=True)
    data_dir = Path(tempfile.mkdtemp(prefix="jincai-bench-exchange-", dir=args.dir))
    try:
        run(data_dir, args)
    finally:
        for side in ("intranet", "extranet"):
            subprocess.run(["gpgconf", "--homedir", str(data_dir / side / "gnupg"), "--kill", "all"],
                           capture_output=True, check=False)
        shutil.rmtree(data_dir, ignore_errors=True)


def run(data_dir: Path, args) -> None:
    started = time.perf_counter()
    setup_django(data_dir)
    from django.conf import settings

    from exchange import conf
    from exchange.services import keys, outbox

    settings.JINCAI_EXCHANGE_MAX_ITEMS_PER_PACKAGE = args.per_package
    if args.verify_threads:
        settings.JINCAI_EXCHANGE_VERIFY_PROCESSES = 0
    settings.JINCAI_EXCHANGE_FERRY_DIRS = {"to-extranet": str(data_dir / "ferry" / "to-extranet")}
    settings.JINCAI_EXCHANGE_HEARTBEAT_CHANNELS = []
    act_as("intranet", data_dir)
    public = (data_dir / "intranet" / "exchange" / "public.asc").read_text()
    act_as("extranet", data_dir)
    keys.trust(public, ["to-extranet"])
    act_as("intranet", data_dir)

    register_bench_type()
    size = args.attachment_kib * 1024
    ferry_dir = data_dir / "ferry" / "to-extranet"

    def queue(first: int, count: int) -> None:
        for n in range(first, first + count):
            body = {"document_id": f"bench:{n}", "revision": 1, "title": f"基准测试文件 {n}",
                    "doc_number": f"宝市财发〔2025〕{n}号", "issuer": "市财政局", "issued_on": "2025-01-02",
                    "body_html": "<p>正文</p>" * 20, "disclosure": "public"}
            outbox.enqueue("to-extranet", "bench.document", 1, body,
                           attachments=[outbox.Attachment(f"附件{n}.pdf", data=pdf_like(n, size))])

    # Warm-up, untimed: an export and an import of a few packages first, as a deployment's long-lived
    # worker has done long before (the first of each in a process compiles schemas and queries and
    # loads libraries).
    queue(1, WARMUP_ITEMS)
    exchange_round(data_dir, ferry_dir, timed=False)
    print(f"set-up: {time.perf_counter() - started:.1f}s (database, keys, a warm-up export and import of "
          f"{WARMUP_ITEMS} items)")
    print(f"in {data_dir.parent}; verifying in "
          + (f"{conf.verify_processes()} processes" if conf.verify_processes() else f"{conf.verify_workers()} threads"))

    ratios = []
    for number in range(1, args.rounds + 1):
        act_as("intranet", data_dir)
        queue(WARMUP_ITEMS + 1 + (number - 1) * args.items, args.items)
        figures = exchange_round(data_dir, ferry_dir, timed=True, items=args.items)
        ratios.append(report(number, figures, args))
    median = statistics.median(ratios)
    print(f"ratio over {len(ratios)} rounds: median {median:.2f}, lowest {min(ratios):.2f}, highest {max(ratios):.2f}")
    print(f"goal: median ratio >= 0.50 -> {'met' if median >= 0.5 else 'NOT met'}")


def exchange_round(data_dir: Path, ferry_dir: Path, *, timed: bool, items: int = 0) -> dict:
    """Export the queue, import it, verify every package again, then time raw ``gpg --verify`` of the
    same files; the delivered files then leave the ferry, as the gateway takes them."""
    from exchange.models import ReceivedRecord
    from exchange.services import inbox, outbox

    act_as("intranet", data_dir)
    records_before = ReceivedRecord.objects.count()
    t0 = time.perf_counter()
    packages = outbox.export_channel("to-extranet")
    t_export = time.perf_counter() - t0
    files = sorted(ferry_dir.iterdir())
    n = len(files)

    act_as("extranet", data_dir)
    t0 = time.perf_counter()
    result = inbox.import_all()
    t_import = time.perf_counter() - t0
    assert result.ok and len(result.applied) == n, result.rejected[:3]
    assert not timed or ReceivedRecord.objects.count() == records_before + items
    figures = {"packages": n, "bytes": sum(f.stat().st_size for f in files), "export": t_export, "import": t_import}
    if timed:
        # Standalone verification of every package (the `exchange verify` path).
        t0 = time.perf_counter()
        for f in files:
            inbox.verify_file(f, "to-extranet")
        figures["verify"] = time.perf_counter() - t0
        # Raw GnuPG: a detached signature over each whole package file (made untimed), then
        # `gpg --verify` once per package in the receiver's keyring.
        sender_home, receiver_home = data_dir / "intranet" / "gnupg", data_dir / "extranet" / "gnupg"
        for f in files:
            subprocess.run(["gpg", "--homedir", str(sender_home), "--batch", "--yes", "--local-user",
                            packages[0].signer, "--detach-sign", "-o", f"{f}.sig", str(f)],
                           check=True, capture_output=True)
        t0 = time.perf_counter()
        for f in files:
            subprocess.run(["gpg", "--homedir", str(receiver_home), "--batch", "--verify", f"{f}.sig", str(f)],
                           check=True, capture_output=True)
        figures["raw"] = time.perf_counter() - t0
    for f in ferry_dir.iterdir():
        f.unlink()
    return figures


def report(number: int, f: dict, args) -> float:
    n = f["packages"]
    raw_rate = n / f["raw"]
    e2e_rate = n / (f["export"] + f["import"])
    full_rate = n / (f["export"] + f["verify"] + f["import"])

    def line(label: str, seconds: float, extra: str = "") -> str:
        return f"  {label:<19}{seconds:7.2f}s  {n / seconds:8.1f} packages/s  {seconds * 1000 / n:6.1f} ms/package{extra}"

    print(f"round {number}: {n} packages ({args.per_package} items each), {f['bytes'] / 1048576:.1f} MiB, "
          f"{args.items} items with one {args.attachment_kib} KiB attachment each")
    print(line("export:", f["export"]))
    print(line("import (verifies):", f["import"], f"  {args.items / f['import']:8.1f} items/s"))
    print(line("verify only:", f["verify"]))
    print(line("raw gpg --verify:", f["raw"], "  (baseline)"))
    print(f"  end to end (export + import):           {e2e_rate:8.1f} packages/s  ratio {e2e_rate / raw_rate:.2f}")
    print(f"  end to end with a separate verify pass: {full_rate:8.1f} packages/s  ratio {full_rate / raw_rate:.2f}")
    return e2e_rate / raw_rate


if __name__ == "__main__":
    main()
