"""Settings of the staff intranet. Every page needs password + OTP."""

from common.settings import configure
from exchange.conf import exchange_beat_schedule

configure(globals(), side="intranet")

# The bureau's business systems beside the budget and payment core, one app each (own migrations).
FINANCE_MODULES = [
    "core_finance.payroll", "core_finance.nontax", "core_finance.special_accounts", "core_finance.debt",
    "core_finance.assets", "core_finance.subsidies", "core_finance.divisions", "core_finance.revenue",
]
INSTALLED_APPS = [  # noqa: F821  (INSTALLED_APPS is filled by configure)
    "intranet.workbench", "intranet.oa", "intranet.procurement", "core_finance", *FINANCE_MODULES,
    "intranet.publishing", "intranet.consultation", "intranet.website", *INSTALLED_APPS,  # noqa: F821
]

# On the intranet nothing but the login itself is reachable without a verified OTP device.
JINCAI_OTP_PROTECTED_PREFIXES = ["/"]
WAGTAIL_SITE_NAME = "金财内网"
OTP_TOTP_ISSUER = "金财内网"
CELERY_BEAT_SCHEDULE = exchange_beat_schedule()
CELERY_BEAT_SCHEDULE["oa-reminders"] = {"task": "oa.remind", "schedule": 3600.0, "options": {"expires": 3000}}
