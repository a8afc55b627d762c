#!/usr/bin/env python3
"""Run a local single-node OpenSearch server assembled from Maven Central jars.

OpenSearch's tarball/Debian distributions are not reachable from this
project's machines, but every jar of the server and of its bundled modules is
on Maven Central.  This script rebuilds the parts of the distribution the
server actually needs:

    fetch   resolve the jars with Maven (ops/opensearch/pom.xml) into
            $DATA/opensearch/{lib,modules/<name>}; a no-op when they are
            already there for the current pom.xml.
    start   fetch if needed, write config/ (opensearch.yml, jvm.options,
            log4j2.properties) and the module descriptors, launch the JVM in
            the background, wait for the cluster to be at least yellow and
            print its URL on stdout.
    stop    SIGTERM the server recorded in the pid file and wait for it.
    status  report whether it runs and what the cluster health is.

$DATA is ${JINCAI_DATA_DIR:-var}; a relative value is taken relative to the
repository root.  Python 3.11 standard library only.

Running as root: OpenSearch refuses to start as root (Bootstrap checks
geteuid() through JNA, and there is no switch to skip it; leaving JNA out
does not work either, 2.19 then dies on a missing JNA class).  When this
script runs as root it therefore starts the JVM as the unprivileged system
user `jincai-opensearch` (created with useradd on first use, override with
JINCAI_OPENSEARCH_USER) via setpriv(1), and hands that user the directories
the server writes.  If the data directory sits below a directory that user
cannot traverse (e.g. a 0700 /root), the JVM additionally gets the single
capability CAP_DAC_READ_SEARCH (read/search any path) as an ambient
capability; it still runs with a non-zero uid and owns its files.
"""

from __future__ import annotations

import argparse
import os
import sys

from layout import (
    DEFAULT_PORT,
    DEFAULT_START_TIMEOUT,
    DEFAULT_STOP_TIMEOUT,
    LaunchError,
    Layout,
    fetch,
    locked,
    log,
)
from node import start, status, stop

# --------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p_fetch = sub.add_parser("fetch", help="resolve the OpenSearch jars with Maven")
    p_fetch.add_argument("--force", action="store_true", help="re-resolve even if present")
    p_start = sub.add_parser("start", help="start the server in the background")
    p_start.add_argument(
        "--port", type=int, default=int(os.environ.get("OPENSEARCH_PORT") or DEFAULT_PORT),
        help="HTTP port on 127.0.0.1 (default: $OPENSEARCH_PORT or 9200)",
    )
    p_start.add_argument("--timeout", type=float, default=DEFAULT_START_TIMEOUT,
                         help="seconds to wait for a yellow cluster (default: 120)")
    p_stop = sub.add_parser("stop", help="stop the server (SIGTERM, then wait)")
    p_stop.add_argument("--timeout", type=float, default=DEFAULT_STOP_TIMEOUT,
                        help="seconds to wait before SIGKILL (default: 60)")
    sub.add_parser("status", help="exit 0 if running and healthy, 3 if stopped")
    args = parser.parse_args(argv)

    layout = Layout.from_env()
    try:
        if args.command == "status":
            return status(layout)
        with locked(layout):
            if args.command == "fetch":
                fetch(layout, force=args.force)
            elif args.command == "start":
                print(start(layout, args.port, args.timeout), flush=True)
            elif args.command == "stop":
                stop(layout, args.timeout)
    except LaunchError as exc:
        log(f"error: {exc}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
