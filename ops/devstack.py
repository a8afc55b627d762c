"""`make run`: set up and start both deployments on the embedded default.

Runs ``setup_demo`` on both sides (in parallel; idempotent), then starts for each side the
web server, a Celery worker and Celery beat, waits until both sites answer, and prints the
URLs and demo logins with their OTP secrets and QR codes. Ctrl-C stops everything.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import segno

ROOT = Path(__file__).resolve().parent.parent
PORTS = {"extranet": int(os.environ.get("JINCAI_EXTRANET_PORT", "8000")),
         "intranet": int(os.environ.get("JINCAI_INTRANET_PORT", "8001"))}
PY = sys.executable


def env_for(side: str) -> dict:
    env = dict(os.environ)
    env.setdefault("JINCAI_DATA_DIR", str(ROOT / "var"))
    env["DJANGO_SETTINGS_MODULE"] = f"{side}.settings"
    env["PYTHONUNBUFFERED"] = "1"
    return env


def setup_demo() -> dict[str, list[dict]]:
    # Both sides set up in parallel (two cores), then both once more: each pass trusts the other
    # side's exchange key if it exists by then, so the second (cheap, idempotent) pass completes
    # the pair whichever finished first.
    accounts: dict[str, list[dict]] = {}
    for round_ in (1, 2):
        print(f"… setting up both sides, pass {round_} (migrations, keys, demo data)", flush=True)
        procs = {side: subprocess.Popen([PY, "-m", side, "setup_demo", "--json"], cwd=ROOT, env=env_for(side),
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for side in ("intranet", "extranet")}
        for side, proc in procs.items():
            out, err = proc.communicate()
            if proc.returncode != 0:
                sys.stderr.write(out + err)
                raise SystemExit(f"setup_demo failed on the {side}")
            accounts[side] = json.loads(out.strip().splitlines()[-1])
    return accounts


def start(side: str) -> list[subprocess.Popen]:
    env = env_for(side)
    log_dir = Path(env["JINCAI_DATA_DIR"]) / side / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    commands = {
        "web": [PY, "-m", side, "runserver", f"127.0.0.1:{PORTS[side]}", "--noreload"],
        "worker": [PY, "-m", "celery", "-A", side, "worker", "--pool=solo", "--loglevel=INFO",
                   "--without-gossip", "--without-mingle", "--without-heartbeat"],
        "beat": [PY, "-m", "celery", "-A", side, "beat", "--loglevel=INFO"],
    }
    procs = []
    for role, cmd in commands.items():
        log = open(log_dir / f"{role}.log", "ab")  # noqa: SIM115 - closed with the process
        procs.append(subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                      start_new_session=True))
    return procs


def wait_until_up(side: str, timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{PORTS[side]}/healthz", timeout=2) as r:  # noqa: S310
                if r.status == 200:
                    return True
        except OSError:
            time.sleep(0.5)
    return False


def print_accounts(accounts: dict[str, list[dict]]) -> None:
    for side in ("extranet", "intranet"):
        print(f"\n== {side}: http://127.0.0.1:{PORTS[side]}/  (login: /accounts/login/)")
        for a in accounts[side]:
            print(f"   {a['username']:<10} {a['name']:<8} password {a['password']}   OTP secret {a['otp_secret']}")
    first = accounts["intranet"][0]
    print(f"\nQR code of the intranet '{first['username']}' authenticator (scan with any TOTP app):")
    segno.make(first["otp_uri"], error="l").terminal(compact=True)
    print("Other QR codes: open the otpauth:// URIs in the data dir's demo-accounts, or enter the secrets by hand.")


def stop(procs: list[subprocess.Popen]) -> None:
    for p in procs:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGTERM)
    deadline = time.monotonic() + 15
    for p in procs:
        try:
            p.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)


def main() -> None:
    started = time.monotonic()
    accounts = setup_demo()
    procs = start("intranet") + start("extranet")
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt))
    try:
        if not (wait_until_up("intranet") and wait_until_up("extranet")):
            raise SystemExit("a site did not come up; see var/<side>/logs/web.log")
        print_accounts(accounts)
        print(f"\nBoth sites are up ({time.monotonic() - started:.0f}s). Logs: var/<side>/logs/. Ctrl-C stops everything.")
        while all(p.poll() is None for p in procs):
            time.sleep(1)
        print("a process exited unexpectedly; stopping", file=sys.stderr)
    except KeyboardInterrupt:
        print("\nstopping …")
    finally:
        stop(procs)
        print("stopped.")


if __name__ == "__main__":
    main()
