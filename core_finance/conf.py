"""Configuration of the finance core (Django settings with environment defaults)."""

from __future__ import annotations

import os

from django.conf import settings


def payment_plans_enabled() -> bool:
    """用款计划 control can be switched off (JINCAI_FINANCE_PAYMENT_PLANS=0 or the setting)."""
    value = getattr(settings, "JINCAI_FINANCE_PAYMENT_PLANS", None)
    if value is None:
        value = os.environ.get("JINCAI_FINANCE_PAYMENT_PLANS", "1").strip().lower() not in ("0", "false", "no", "off")
    return bool(value)


def bank_dir():
    """Where payment files are written and bank files are picked up (a ferry to the agent banks)."""
    path = settings.JINCAI_SIDE_DIR / "finance" / "bank"
    for sub in ("outgoing", "incoming"):
        (path / sub).mkdir(parents=True, exist_ok=True)
    return path
