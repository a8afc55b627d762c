"""Portal serving rate: anonymous requests per second and p95 latency of the home page and a policy
page, served the way production serves them (gunicorn with the image's gunicorn.conf.py, WhiteNoise,
JINCAI_ENV=production, the portal's anonymous page cache), against a static file holding the same
HTML served by the same gunicorn and WhiteNoise in the same run.

    .venv/bin/python bench/portal.py [--seconds 8] [--clients 8] [--workers 2] [--data DIR]

Set REDIS_URL to use Redis as the page cache (as production does with several workers); unset,
each worker keeps its own local-memory cache. The data dir is set up the way `make run` does it
(setup_demo on both sides, the intranet's approved publications exported and imported), so the
policy page is the bureau's 2009 plan. Goal: a cached page at >= 30% of the static-file rate.
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing as mp
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


def side_env(data: Path, side: str, production: bool = False) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "SEARCH_URL",
                                                           "CELERY_BROKER_URL", "JINCAI_STATIC_ROOT")}
    env.update(JINCAI_DATA_DIR=str(data), DJANGO_SETTINGS_MODULE=f"{side}.settings", LOG_LEVEL="WARNING")
    if production:
        env.update(JINCAI_ENV="production", SECRET_KEY=(data / "bench-secret").read_text(),
                   ALLOWED_HOSTS="127.0.0.1,localhost", JINCAI_SSL_REDIRECT="0", JINCAI_SIDE="extranet")
    return env


def run(side: str, *args, data: Path, production: bool = False) -> str:
    result = subprocess.run([PY, "-m", side, *args], cwd=ROOT, env=side_env(data, side, production),
                            capture_output=True, text=True, timeout=900)
    if result.returncode != 0:
        raise SystemExit(f"{side} {' '.join(args)} failed:\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}")
    return result.stdout


def prepare(data: Path) -> None:
    secret = data / "bench-secret"
    if not secret.exists():
        secret.write_text(secrets.token_urlsafe(50))
    if (data / "bench-ready").exists():
        return
    print("setting up both sides (setup_demo, exchange) ...", flush=True)
    for side in ("intranet", "extranet", "intranet"):
        run(side, "setup_demo", data=data)
    run("intranet", "exchange", "export", data=data)
    run("extranet", "exchange", "import", data=data)
    (data / "bench-ready").touch()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port: int, path: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path, headers={"Host": "127.0.0.1"})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, body


def start_gunicorn(data: Path, port: int, workers: int) -> subprocess.Popen:
    env = side_env(data, "extranet", production=True)
    env.update(GUNICORN_BIND=f"127.0.0.1:{port}", GUNICORN_WORKERS=str(workers), GUNICORN_LOG_LEVEL="warning",
               GUNICORN_MAX_REQUESTS="0")
    proc = subprocess.Popen([PY, "-m", "gunicorn", "-c", str(ROOT / "ops" / "docker" / "gunicorn.conf.py"),
                             "--access-logfile", "/dev/null", "extranet.wsgi:application"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if get(port, "/healthz")[0] == 200:
                return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("gunicorn did not start: " + proc.stderr.read().decode()[-3000:])


def _client(port: int, path: str, seconds: float, queue) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    latencies, errors = [], 0
    end = time.perf_counter() + seconds
    while True:
        start = time.perf_counter()
        if start >= end:
            break
        try:
            conn.request("GET", path, headers={"Host": "127.0.0.1"})
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                errors += 1
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        except (OSError, http.client.HTTPException):
            errors += 1
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            continue
        latencies.append(time.perf_counter() - start)
    conn.close()
    queue.put((latencies, errors))


def load(port: int, path: str, seconds: float, clients: int) -> dict:
    queue = mp.Queue()
    procs = [mp.Process(target=_client, args=(port, path, seconds, queue)) for _ in range(clients)]
    for p in procs:
        p.start()
    results = [queue.get() for _ in procs]
    for p in procs:
        p.join()
    latencies = sorted(x for r, _e in results for x in r)
    errors = sum(e for _r, e in results)
    n = len(latencies)
    return {"requests": n, "errors": errors, "rps": n / seconds,
            "p95_ms": latencies[int(n * 0.95) - 1] * 1000 if n else float("nan")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--data", type=Path, help="reuse this data dir (kept); default: a temporary one")
    args = parser.parse_args()

    data = args.data or Path(tempfile.mkdtemp(prefix="jc-bench-portal-"))
    data.mkdir(parents=True, exist_ok=True)
    try:
        prepare(data)
        run("extranet", "collectstatic", "--noinput", data=data, production=True)
        port = free_port()
        server = start_gunicorn(data, port, args.workers)
        try:
            status, home_html = get(port, "/")
            match = re.search(r'href="(/policies/[^"/]+/)"', home_html.decode())
            assert status == 200 and match, "the home page does not link a policy"
            policy = match.group(1)
            _s, policy_html = get(port, policy)
        finally:
            server.terminate()
            server.wait(timeout=30)
        # The same HTML as static files, served by the same gunicorn + WhiteNoise (which indexes
        # STATIC_ROOT when it starts).
        static_root = data / "extranet" / "static" / "bench"
        static_root.mkdir(parents=True, exist_ok=True)
        (static_root / "home.html").write_bytes(home_html)
        (static_root / "policy.html").write_bytes(policy_html)
        server = start_gunicorn(data, port, args.workers)
        try:
            targets = [("home page", "/"), ("static copy of the home page", "/static/bench/home.html"),
                       ("policy page", policy), ("static copy of the policy page", "/static/bench/policy.html")]
            for _name, path in targets:  # warm every worker's cache and connections
                load(port, path, 1.0, args.clients)
            results = {name: load(port, path, args.seconds, args.clients) for name, path in targets}
        finally:
            server.terminate()
            server.wait(timeout=30)
    finally:
        if args.data is None:
            shutil.rmtree(data, ignore_errors=True)

    cache = "Redis" if os.environ.get("REDIS_URL") else "local memory per worker"
    print(f"\ngunicorn (ops/docker/gunicorn.conf.py) x{args.workers} workers, WhiteNoise, JINCAI_ENV=production, "
          f"page cache: {cache}; {args.clients} keep-alive clients, {args.seconds:.0f} s each")
    print(f"{'target':<34} {'requests':>9} {'errors':>7} {'req/s':>9} {'p95 ms':>8}")
    for name, r in results.items():
        print(f"{name:<34} {r['requests']:>9} {r['errors']:>7} {r['rps']:>9.1f} {r['p95_ms']:>8.2f}")
    for page in ("home page", "policy page"):
        ratio = results[page]["rps"] / results[f"static copy of the {page}"]["rps"]
        verdict = "meets" if ratio >= 0.30 else "BELOW"
        print(f"{page}: {ratio:.0%} of the static-file rate ({verdict} the 30% goal)")


if __name__ == "__main__":
    main()
