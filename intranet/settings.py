"""Settings of the staff intranet. Every page needs password + OTP."""

from common.settings import configure
from exchange.conf import exchange_beat_schedule

configure(globals(), side="intranet")

INSTALLED_APPS = ["intranet.workbench", "intranet.oa", "intranet.procurement", "core_finance", "intranet.publishing", "intranet.consultation", *INSTALLED_APPS]  # noqa: F821  (filled by configure)

# On the intranet nothing but the login itself is reachable without a verified OTP device.
JINCAI_OTP_PROTECTED_PREFIXES = ["/"]
WAGTAIL_SITE_NAME = "金财内网"
OTP_TOTP_ISSUER = "金财内网"
CELERY_BEAT_SCHEDULE = exchange_beat_schedule()
CELERY_BEAT_SCHEDULE["oa-reminders"] = {"task": "oa.remind", "schedule": 3600.0, "options": {"expires": 3000}}
