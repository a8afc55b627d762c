"""Running the JVM as an unprivileged user when the launcher runs as root."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import pwd
import shutil
import subprocess
import sys
from pathlib import Path

from layout import DEFAULT_SERVICE_USER, LaunchError, Layout, log

# --------------------------------------------------------------------------
# Who runs the JVM


@dataclasses.dataclass(frozen=True)
class RunAs:
    """Who the JVM runs as: ourselves (user is None) or a service user via setpriv."""

    user: pwd.struct_passwd | None = None
    # Ambient capabilities kept across the uid switch (see module docstring).
    caps: tuple[str, ...] = ()

    def describe(self) -> str:
        if self.user is None:
            return f"as uid {os.geteuid()}"
        extra = f", with {'+'.join(self.caps)}" if self.caps else ""
        return f"as user {self.user.pw_name} (uid {self.user.pw_uid}{extra})"

    def command_prefix(self) -> list[str]:
        if self.user is None:
            return []
        setpriv = shutil.which("setpriv") or "/usr/bin/setpriv"
        # setpriv execs the target directly (unlike su/runuser, no process is
        # left in between), so the pid we record is the JVM's own.
        prefix = [setpriv, f"--reuid={self.user.pw_uid}", f"--regid={self.user.pw_gid}",
                  "--init-groups", "--no-new-privs"]
        if self.caps:
            caps = ",".join(f"+{c}" for c in self.caps)
            prefix += [
                f"--inh-caps={caps}", f"--ambient-caps={caps}",
                # Nothing beyond these can ever be regained.
                f"--bounding-set=-all,{caps}",
                # Without this, access(2) (which Java uses for its "is the
                # directory writable" checks) ignores capabilities of a
                # non-root uid.  It does not keep any other capability: the
                # exec recomputes the sets from the ambient one above.
                "--securebits=+no_setuid_fixup",
            ]
        return prefix + ["--"]


def _ensure_user(name: str) -> pwd.struct_passwd:
    with contextlib.suppress(KeyError):
        return pwd.getpwnam(name)
    useradd = shutil.which("useradd") or "/usr/sbin/useradd"
    if not os.path.exists(useradd):
        raise LaunchError("useradd is not available")
    log(f"creating system user {name}")
    result = subprocess.run(
        [useradd, "--system", "--user-group", "--no-create-home",
         "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin",
         "--comment", "Jincai local OpenSearch", name],
        capture_output=True, text=True,
    )
    # 9 = the name already exists (a concurrent creation won the race).
    if result.returncode not in (0, 9):
        raise LaunchError(f"useradd {name} failed: {result.stderr.strip()}")
    return pwd.getpwnam(name)


def _chown_tree(path: Path, uid: int, gid: int) -> None:
    for root, dirs, files in os.walk(path):
        for entry in [root, *(os.path.join(root, n) for n in dirs + files)]:
            st = os.lstat(entry)
            if (st.st_uid, st.st_gid) != (uid, gid):
                os.lchown(entry, uid, gid)


# Runs as the service user.  os.access() checks with the real uid, exactly
# like Java's Files.isWritable() that the server uses on its directories.
_ACCESS_PROBE = """
import os, sys
jars, dirs = sys.argv[1:2], sys.argv[2:]
ok = all(os.access(j, os.R_OK) for j in jars if j) and all(
    os.access(d, os.R_OK | os.W_OK | os.X_OK) for d in dirs)
sys.exit(0 if ok else 1)
"""


def _can_run(run_as: RunAs, layout: Layout) -> bool:
    """Can the service user read the jars and write the data dirs (every parent must be traversable)?"""
    jars = sorted(layout.lib.glob("opensearch-*.jar"))
    result = subprocess.run(
        [*run_as.command_prefix(), sys.executable, "-c", _ACCESS_PROBE,
         str(jars[0]) if jars else "", *(str(d) for d in layout.writable_dirs())],
        capture_output=True, text=True,
    )
    return result.returncode == 0


def resolve_run_as(layout: Layout) -> RunAs:
    if os.geteuid() != 0:
        return RunAs()
    if not (shutil.which("setpriv") or os.path.exists("/usr/bin/setpriv")):
        raise LaunchError("running as root needs setpriv (util-linux) to drop privileges")
    user = _ensure_user(os.environ.get("JINCAI_OPENSEARCH_USER") or DEFAULT_SERVICE_USER)
    for path in layout.writable_dirs():
        _chown_tree(path, user.pw_uid, user.pw_gid)
    run_as = RunAs(user=user)
    if _can_run(run_as, layout):
        return run_as
    log(f"user {user.pw_name} cannot reach {layout.home} (a private parent directory?); "
        "granting it CAP_DAC_READ_SEARCH")
    run_as = RunAs(user=user, caps=("dac_read_search",))
    if _can_run(run_as, layout):
        return run_as
    raise LaunchError(f"user {user.pw_name} cannot read/write {layout.home} even with CAP_DAC_READ_SEARCH")
