"""Sealed bid uploads: throughput and peak memory of the extranet, encrypted vs plain upload.

    .venv/bin/python bench/bids.py [--bids 200] [--mb 5] [--concurrency 200] [--threads 16]

Starts the extranet with gunicorn (one gthread worker) on loopback in a fresh data dir, creates a
tender (with a bid-opening key made here) and one approved supplier per bid with a ready OTP-verified
session, then in the same run:

1. plain: N uploads of M MB each to a baseline endpoint that stores the files unencrypted with
   Django's default upload handlers (mounted only for this benchmark);
2. sealed: the same N uploads as real bids (streamed through gpg, receipt signed, queued for the
   intranet);
3. sealed, large: N/10 bids of 10×M MB each (the same total bytes) to show memory is flat in file size.

Peak RSS is sampled from /proc every 20 ms for the whole server process tree (gunicorn master,
worker, and the gpg processes it spawns) and for the worker alone. Goal: sealed time ≤ 2× plain,
peak memory not growing with file size.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BOUNDARY = "----jincai-bench"
PAGE = 4096


# ------------------------------------------------------------------ setup (inside Django)
def _setup(data_dir: str, count: int) -> None:
    os.environ["JINCAI_DATA_DIR"] = data_dir
    os.environ["DJANGO_SETTINGS_MODULE"] = "extranet.settings"
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from datetime import UTC, timedelta
    from importlib import import_module

    import gnupg
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.core.management import call_command
    from django.utils import timezone
    from django_otp import DEVICE_ID_SESSION_KEY

    from common.accounts.otp import ensure_totp
    from exchange import registry
    from exchange.services import keys
    from extranet.procurement.models import Supplier, Tender

    call_command("migrate", interactive=False, verbosity=0)
    keys.keygen()
    home = Path(data_dir) / "bench-intranet-key"
    home.mkdir(mode=0o700)
    gpg = gnupg.GPG(gnupghome=str(home))
    key = gpg.gen_key(gpg.gen_key_input(key_type="EDDSA", key_curve="ed25519", subkey_type="ECDH",
                                        subkey_curve="cv25519", name_real="bench", name_email="b@jincai.invalid",
                                        expire_date="0", no_protection=True))

    def iso(v):
        return v.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")

    now = timezone.now()
    body = {"tender_id": "BENCH1", "revision": 1, "reference": "BENCH-1", "title": "bench", "method": "open",
            "buyer": "bench", "budget": "100000000.00", "bid_security": "0.00",
            "lots": [{"number": 1, "title": "lot", "budget": "100000000.00"}], "published_at": iso(now),
            "clarification_deadline": iso(now + timedelta(days=10)), "bid_deadline": iso(now + timedelta(days=20)),
            "opening_at": iso(now + timedelta(days=20)),
            "bid_key": {"fingerprint": key.fingerprint.upper(), "public_key": gpg.export_keys(key.fingerprint)},
            "documents": [], "disclosure": "public"}
    mt = registry.get("procurement.tender.publish", 1)
    mt.apply(registry.ApplyContext("to-extranet", "0" * 32, 1, "0" * 40, 0, True, mt.name, 1, "public", "", body))
    tender = Tender.objects.get(tender_id="BENCH1")
    engine = import_module(settings.SESSION_ENGINE)
    sessions = []
    for n in range(count):
        user = get_user_model().objects.create(username=f"bench{n:04d}")
        user.set_unusable_password()
        user.save()
        device = ensure_totp(user, os.urandom(20).hex())
        Supplier.objects.create(user=user, company_name=f"bench {n}", uscc=f"9100000000000{n:04d}X"[:18],
                                legal_representative="x", address="x", status="approved", submitted_at=now)
        store = engine.SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store[DEVICE_ID_SESSION_KEY] = device.persistent_id
        store.create()
        sessions.append(store.session_key)
    print(json.dumps({"tender": tender.tender_id, "sessions": sessions}))


# ------------------------------------------------------------------ measuring
def _tree(root: int) -> list[int]:
    pids, frontier = [root], [root]
    while frontier:
        pid = frontier.pop()
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            continue
        for child in map(int, children):
            pids.append(child)
            frontier.append(child)
    return pids


def _rss(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
    except (OSError, IndexError, ValueError):
        return 0


class Sampler(threading.Thread):
    def __init__(self, master: int):
        super().__init__(daemon=True)
        self.master, self.stop, self.tree_peak, self.worker_peak = master, threading.Event(), 0, 0

    def run(self):
        while not self.stop.is_set():
            pids = _tree(self.master)
            self.tree_peak = max(self.tree_peak, sum(_rss(p) for p in pids))
            workers = [p for p in pids[1:] if "gunicorn" in _cmd(p)]
            self.worker_peak = max([self.worker_peak, *(_rss(p) for p in workers)])
            time.sleep(0.02)


def _cpu_seconds(root: int) -> tuple[float, float]:
    """CPU time (user + system) of the server tree so far: its processes, and their reaped children
    (the gpg processes a worker waits for)."""
    ticks = os.sysconf("SC_CLK_TCK")
    own = children = 0
    for pid in _tree(root):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        own += int(fields[11]) + int(fields[12])  # utime stime
        children += int(fields[13]) + int(fields[14])  # cutime cstime
    return own / ticks, children / ticks


def _cmd(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


# ------------------------------------------------------------------ uploading
def _post(port: int, path: str, session: str, size: int, seed: bytes) -> tuple[int, float]:
    csrf = "b" * 32
    fields = {"csrfmiddlewaretoken": csrf, "lot": "1", "price": "1000.00", "confirm": "on"}
    head = b"".join(f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n".encode()
                    for k, v in fields.items())
    head += (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"offer.pdf\"\r\n"
             "Content-Type: application/pdf\r\n\r\n").encode()
    tail = f"\r\n--{BOUNDARY}--\r\n".encode()
    length = len(head) + size + len(tail)
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=600) as sock:
        sock.sendall((f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nCookie: sessionid={session}; csrftoken={csrf}"
                      f"\r\nContent-Type: multipart/form-data; boundary={BOUNDARY}\r\nContent-Length: {length}\r\n"
                      "Connection: close\r\n\r\n").encode() + head)
        sent = 0
        while sent < size:  # stream the file; the client never holds more than the seed block
            chunk = seed[: min(len(seed), size - sent)]
            sock.sendall(chunk)
            sent += len(chunk)
        sock.sendall(tail)
        response = b""
        while data := sock.recv(65536):
            response += data
    status = int(response.split(b" ", 2)[1])
    return status, time.monotonic() - started


def _round(name, port, master, path, sessions, size, concurrency) -> dict:
    seed = b"%PDF-1.4\n" + os.urandom(1 << 20)
    sampler = Sampler(master)
    sampler.start()
    cpu_before = _cpu_seconds(master)
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        results = list(pool.map(lambda s: _post(port, path.format(tender="BENCH1"), s, size, seed), sessions))
    wall = time.monotonic() - started
    time.sleep(0.2)
    sampler.stop.set()
    sampler.join()
    cpu_after = _cpu_seconds(master)
    own_cpu, child_cpu = (after - before for after, before in zip(cpu_after, cpu_before, strict=True))
    cpu = own_cpu + child_cpu
    ok = sum(1 for status, _ in results if status in (200, 302))
    total = size * len(sessions)
    out = {"round": name, "uploads": len(sessions), "ok": ok, "file_mb": size / 2**20, "seconds": round(wall, 2),
           "mb_per_s": round(total / 2**20 / wall, 1), "bids_per_s": round(len(sessions) / wall, 1),
           "server_cpu_s": round(cpu, 1), "children_cpu_s": round(child_cpu, 1), "cpu_ms_per_mb": round(cpu * 1000 / (total / 2**20), 1),
           "peak_tree_mb": round(sampler.tree_peak / 2**20, 1), "peak_worker_mb": round(sampler.worker_peak / 2**20, 1),
           "p95_latency_s": round(sorted(t for _, t in results)[int(len(results) * 0.95) - 1], 2)}
    print(json.dumps(out, ensure_ascii=False), flush=True)
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bids", type=int, default=200)
    parser.add_argument("--mb", type=float, default=5)
    parser.add_argument("--concurrency", type=int, default=200)
    parser.add_argument("--threads", type=int, default=16)
    args = parser.parse_args()
    size = int(args.mb * 2**20)
    large_count = max(1, args.bids // 10)
    data = Path(tempfile.mkdtemp(prefix="jincai-bench-bids-"))
    env = {**os.environ, "JINCAI_DATA_DIR": str(data), "DJANGO_SETTINGS_MODULE": "extranet.settings",
           "JINCAI_PROCUREMENT_BENCH_PLAIN_UPLOAD": "1", "LOG_LEVEL": "WARNING",
           # As deployed: without DEBUG (which records every SQL query) for both rounds alike.
           "DEBUG": "0"}
    for var in ("DATABASE_URL", "CELERY_BROKER_URL", "SEARCH_URL"):
        env.pop(var, None)
    server = None
    try:
        out = subprocess.run([sys.executable, __file__, "_setup", str(data), str(args.bids * 2 + large_count)],
                             cwd=REPO, env=env, capture_output=True, text=True, check=True)
        sessions = json.loads(out.stdout.strip().splitlines()[-1])["sessions"]
        port = _free_port()
        server = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "extranet.wsgi:application",
                                   "--bind", f"127.0.0.1:{port}", "--workers", "1", "--worker-class", "gthread",
                                   "--threads", str(args.threads), "--timeout", "600", "--backlog", "2048"],
                                  cwd=REPO, env=env, stdout=subprocess.DEVNULL,
                                  stderr=open(os.environ.get("BENCH_SERVER_LOG", os.devnull), "w"))  # noqa: SIM115
        for _ in range(300):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)  # noqa: S310 - loopback
                break
            except OSError:
                time.sleep(0.2)
        print(f"extranet on 127.0.0.1:{port}, {args.bids} uploads of {args.mb} MB, concurrency {args.concurrency}, "
              f"{args.threads} server threads", flush=True)
        plain = _round("plain", port, server.pid, "/supplier/bench-plain-upload/", sessions[: args.bids], size,
                       args.concurrency)
        shutil.rmtree(data / "extranet" / "procurement" / "bids" / ".bench-plain", ignore_errors=True)
        sealed = _round("sealed", port, server.pid, "/supplier/bid-upload/{tender}/",
                        sessions[args.bids: 2 * args.bids], size, args.concurrency)
        large = _round("sealed-large", port, server.pid, "/supplier/bid-upload/{tender}/",
                       sessions[2 * args.bids:], size * 10, args.concurrency)
        print(f"time ratio sealed/plain: {sealed['seconds'] / plain['seconds']:.2f} (goal ≤ 2.00)")
        print(f"server CPU ratio sealed/plain: {sealed['server_cpu_s'] / max(plain['server_cpu_s'], 0.1):.2f}")
        print(f"peak memory (process tree) sealed/plain: {sealed['peak_tree_mb'] / plain['peak_tree_mb']:.2f}; "
              f"worker alone: {sealed['peak_worker_mb'] / plain['peak_worker_mb']:.2f}")
        print(f"peak worker memory, {args.mb * 10:g} MB files vs {args.mb:g} MB files: "
              f"{large['peak_worker_mb'] / sealed['peak_worker_mb']:.2f} (flat ≈ 1)")
        if sealed["ok"] != args.bids or plain["ok"] != args.bids or large["ok"] != large_count:
            print("WARNING: some uploads failed", file=sys.stderr)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_setup":
        _setup(sys.argv[2], int(sys.argv[3]))
    else:
        main()
