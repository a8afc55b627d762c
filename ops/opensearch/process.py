"""Finding, probing and stopping the node process; its HTTP health."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import time
import urllib.error
import urllib.request
from pathlib import Path

from layout import MAIN_CLASS, LaunchError, Layout, log

# --------------------------------------------------------------------------
# Process helpers


def _proc_state(pid: int) -> str | None:
    """The /proc state letter of pid, or None if there is no such process."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    # The command name (field 2) is parenthesised and may contain spaces.
    return stat[stat.rindex(")") + 2]


def _alive(pid: int) -> bool:
    # A zombie has exited; it lingers only until its parent (init, after
    # the launcher exits) reaps it, which some container inits never do.
    return _proc_state(pid) not in (None, "Z", "X")


def _is_our_server(pid: int, layout: Layout) -> bool:
    """True if pid is an OpenSearch JVM using this OPENSEARCH_HOME (guards against pid reuse)."""
    try:
        args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return False
    return (
        MAIN_CLASS.encode() in args
        and f"-Dopensearch.path.home={layout.home}".encode() in args
    )


def running_pid(layout: Layout) -> int | None:
    """The pid of the server started from this layout, if it is running."""
    try:
        pid = int(layout.pid_file.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None
    if _alive(pid) and _is_our_server(pid, layout):
        return pid
    return None


def _wait_exit(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _alive(pid):
            return True
        time.sleep(0.2)
    return not _alive(pid)


def terminate(pid: int, timeout: float) -> None:
    """SIGTERM (OpenSearch's clean shutdown), then SIGKILL as a last resort."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    if _wait_exit(pid, timeout):
        return
    log(f"pid {pid} still running after {timeout:.0f}s; sending SIGKILL")
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    if not _wait_exit(pid, 10):
        raise LaunchError(f"pid {pid} survived SIGKILL")


def port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _tail(path: Path, lines: int = 40) -> str:
    try:
        with open(path, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            fh.seek(max(0, fh.tell() - 64 * 1024))
            text = fh.read().decode("utf-8", "replace")
    except FileNotFoundError:
        return f"({path} does not exist)"
    return "\n".join(text.splitlines()[-lines:])


def failure_report(layout: Layout) -> str:
    return (
        f"--- tail of {layout.console_log} ---\n{_tail(layout.console_log)}\n"
        f"--- tail of {layout.server_log} ---\n{_tail(layout.server_log)}"
    )


# Never route loopback requests through an http_proxy from the environment.
_HTTP = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def http_get_json(url: str, timeout: float = 5.0) -> dict:
    with _HTTP.open(url, timeout=timeout) as resp:
        return json.load(resp)


def cluster_health(port: int, wait_seconds: int = 0) -> dict | None:
    """GET /_cluster/health?wait_for_status=yellow, or None if there is no usable answer."""
    url = f"http://127.0.0.1:{port}/_cluster/health?wait_for_status=yellow&timeout={wait_seconds}s"
    try:
        return http_get_json(url, timeout=wait_seconds + 5)
    except urllib.error.HTTPError as exc:
        # 408 = still red when the wait timed out; the body is the health.
        if exc.code == 408:
            with contextlib.suppress(ValueError):
                return json.load(exc)
        return None
    except (urllib.error.URLError, OSError, ValueError):
        return None


def configured_port(layout: Layout) -> int | None:
    """http.port of the last generated config (i.e. of the running server)."""
    try:
        text = (layout.config / "opensearch.yml").read_text()
    except FileNotFoundError:
        return None
    match = re.search(r"^http\.port:\s*(\d+)\s*$", text, re.MULTILINE)
    return int(match.group(1)) if match else None
