"""Fixtures for the exchange tests: real GnuPG keys (made once per test session), a private
exchange state per test, and a library-level sender that plays the other side (and the attacker)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

import tests.exchange.handlers  # noqa: F401  (registers test.note)
from exchange import registry
from exchange.gpg import GnuPG
from tests.exchange_support import (  # noqa: F401  (shared fixtures and builders, used by the tests here)
    PDF,
    ExchangeEnv,
    KeyHome,
    Sender,
    item,
    keyhomes,
    policy_body,
    submission_body,
    xenv,
)

REPO = Path(__file__).resolve().parents[2]
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489") + b"\x00" * 64


@pytest.fixture(autouse=True)
def builtin_handlers():
    """Apply every message with the built-in handler during a test, whatever handlers the apps of
    this deployment have registered: the exchange is tested, not the apps."""
    from exchange.messages.store import store_record

    saved = {key: (t.apply, t.apply_is_default) for key, t in registry._TYPES.items()}
    for key, mt in registry._TYPES.items():
        if not key[0].startswith(("exchange.", "test.")):
            mt.apply, mt.apply_is_default = store_record, True
    yield
    for key, (apply, default) in saved.items():
        if key in registry._TYPES:
            registry._TYPES[key].apply, registry._TYPES[key].apply_is_default = apply, default


@pytest.fixture
def receiving(xenv):  # noqa: F811  (the fixture imported above)
    """The intranet receiving on to-intranet from the (pinned) extranet key."""
    xenv.trust("extranet", "to-intranet")
    return xenv.sender("extranet", "to-intranet")


# --------------------------------------------------------------------------- subprocesses
def side_env(data_dir: Path, **extra) -> dict:
    """Environment of a real deployment process on the embedded default (SQLite) in ``data_dir``."""
    env = {k: v for k, v in os.environ.items()
           if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "SEARCH_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update(JINCAI_DATA_DIR=str(data_dir), PYTHONPATH=str(REPO), LOG_LEVEL="WARNING", **extra)
    return env


def run_side(side: str, data_dir: Path, *args, env=None, timeout=120, check=False) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", side, *args], cwd=REPO, env=env or side_env(data_dir),
                            capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(f"{side} {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


@pytest.fixture(scope="session")
def migrated_template():
    """A data dir whose intranet and extranet SQLite databases are migrated (copied per test)."""
    root = Path(tempfile.mkdtemp(prefix="jxt-", dir="/tmp"))
    procs = [subprocess.Popen([sys.executable, "-m", side, "migrate", "-v0"], cwd=REPO, env=side_env(root),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) for side in ("intranet", "extranet")]
    for p in procs:
        out, err = p.communicate(timeout=900)  # all apps migrate; a shared machine is slow
        assert p.returncode == 0, err.decode()[-2000:]
    yield root
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def data_dir(migrated_template):
    """A fresh data dir for real intranet/extranet processes."""
    root = Path(tempfile.mkdtemp(prefix="jxd-", dir="/tmp"))
    for side in ("intranet", "extranet"):
        (root / side).mkdir()
        for name in ("db.sqlite3", "db.sqlite3-wal", "secret_key"):
            if (migrated_template / side / name).exists():
                shutil.copy2(migrated_template / side / name, root / side / name)
    yield root
    for home in root.glob("*/gnupg"):
        GnuPG(home).kill_agent()
    GnuPG(root / "province" / "gnupg").kill_agent()
    shutil.rmtree(root, ignore_errors=True)
