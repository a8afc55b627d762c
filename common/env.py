"""Reading configuration from the environment.

Every deployable setting comes from the environment so that the same code runs as the
embedded default (nothing set), against real services, or in production.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

REPO_ROOT = Path(__file__).resolve().parent.parent


def env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def env_bool(name: str, default: bool = False) -> bool:
    value = env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    value = env(name)
    if value is None:
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


def require(name: str) -> str:
    value = env(name)
    if value is None:
        raise ImproperlyConfigured(f"The environment variable {name} is required in production.")
    return value


def is_production() -> bool:
    return (env("JINCAI_ENV") or "development").lower() == "production"


def data_dir() -> Path:
    """The root of all local state; two data dirs never interfere."""
    root = Path(env("JINCAI_DATA_DIR", "var"))
    if not root.is_absolute():
        root = (Path.cwd() / root).resolve()
    return root


def side_dir(side: str) -> Path:
    path = data_dir() / side
    path.mkdir(parents=True, exist_ok=True)
    return path
