"""Running a deployment's management commands in a separate process, as an operator would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def side_env(data_dir=None, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    if data_dir is not None:
        env["JINCAI_DATA_DIR"] = str(data_dir)
    env.update({k: str(v) for k, v in extra.items()})
    return env


def run_side(side: str, *args, env=None, check=True, timeout=300) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "-m", side, *args], cwd=REPO, env=env or side_env(), capture_output=True, text=True,
        timeout=timeout,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"{side} {' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result
