"""Gunicorn settings of the Jincai web role (ops/docker/entrypoint.sh passes this file).

Every value can be overridden from the environment without rebuilding the image:
GUNICORN_BIND, GUNICORN_WORKERS, GUNICORN_THREADS, GUNICORN_TIMEOUT, GUNICORN_GRACEFUL_TIMEOUT,
GUNICORN_KEEPALIVE, GUNICORN_MAX_REQUESTS, GUNICORN_MAX_REQUESTS_JITTER, GUNICORN_LOG_LEVEL,
FORWARDED_ALLOW_IPS (gunicorn's own variable).

TLS is terminated in front of the container; the terminator must set X-Forwarded-Proto: https
(Django trusts it through SECURE_PROXY_SSL_HEADER) and X-Forwarded-For (logged below).
"""

import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")

# Threaded workers: Django views wait on PostgreSQL, OpenSearch and GnuPG far more than they
# compute. A few processes (each ~200 MB with Wagtail) times a few threads.
worker_class = "gthread"
workers = _int("GUNICORN_WORKERS", max(2, min(_cpus() + 1, 8)))
threads = _int("GUNICORN_THREADS", 4)

# A request that takes longer than this has the worker restarted; large uploads (bids up to
# JINCAI_MAX_UPLOAD_BYTES) are buffered by the TLS terminator before they reach gunicorn.
timeout = _int("GUNICORN_TIMEOUT", 60)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)

# Recycle workers now and then so that a slow leak never becomes an outage.
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 200)

# The heartbeat file on tmpfs, never on the (read-only) container file system.
worker_tmp_dir = "/dev/shm"  # noqa: S108  (the container's own tmpfs)

# Logs to stdout/stderr for the container runtime. The access log records the client address
# the TLS terminator forwards, the request, status, size and duration (microseconds).
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%({x-forwarded-for}i)s %(h)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(D)s'

# No run-time control socket: the container is managed by its runtime, and $HOME is tmpfs.
control_socket_disable = True

proc_name = f"jincai-{os.environ.get('JINCAI_SIDE', 'web')}"
