"""Container health checks of the Jincai image: `python healthcheck.py web|worker|beat`.

web     GET /healthz on the local gunicorn (the view also runs SELECT 1 on the database).
        The request carries a Host from ALLOWED_HOSTS and X-Forwarded-Proto: https, exactly as
        the TLS terminator would, so that production settings neither reject the host nor
        redirect to HTTPS. Only a 200 counts.
worker  the worker of this container answers a Celery ping over the broker.
beat    the broker that beat sends to is reachable.

Exit status 0 healthy, 1 unhealthy (the reason on stderr).
"""

from __future__ import annotations

import http.client
import os
import socket
import sys


def _host_header() -> str:
    for host in os.environ.get("ALLOWED_HOSTS", "").split(","):
        host = host.strip()
        if host and host != "*":
            return host.lstrip(".")  # ".example.gov.cn" also allows "example.gov.cn"
    return "localhost"


def check_web() -> None:
    port = int(os.environ.get("JINCAI_HEALTHCHECK_PORT", "8000"))
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=8)
    connection.request(
        "GET",
        "/healthz",
        headers={"Host": _host_header(), "X-Forwarded-Proto": "https", "User-Agent": "jincai-healthcheck"},
    )
    response = connection.getresponse()
    body = response.read(512)
    if response.status != 200:
        raise RuntimeError(f"/healthz answered {response.status}: {body[:200]!r}")


def _celery_app():
    side = os.environ["JINCAI_SIDE"]
    module = __import__(f"{side}.celery", fromlist=["app"])
    return module.app


def check_worker() -> None:
    app = _celery_app()
    node = f"celery@{socket.gethostname()}"
    replies = app.control.ping(destination=[node], timeout=5.0)
    if not any(node in reply for reply in replies or []):
        raise RuntimeError(f"no ping reply from {node}")


def check_beat() -> None:
    app = _celery_app()
    with app.connection_for_write() as connection:
        connection.ensure_connection(max_retries=1, timeout=5)


CHECKS = {"web": check_web, "worker": check_worker, "beat": check_beat}


def main(argv: list[str]) -> int:
    role = argv[1] if len(argv) > 1 else "web"
    if role not in CHECKS:
        print(f"healthcheck: unknown role {role!r} (one of {', '.join(CHECKS)})", file=sys.stderr)
        return 2
    try:
        CHECKS[role]()
    except Exception as exc:  # any failure is simply "unhealthy"
        print(f"healthcheck {role}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
