"""Settings of the staff intranet. Every page needs password + OTP."""

from common.settings import configure

configure(globals(), side="intranet")

INSTALLED_APPS = ["intranet.workbench", *INSTALLED_APPS]  # noqa: F821  (filled by configure)

# On the intranet nothing but the login itself is reachable without a verified OTP device.
JINCAI_OTP_PROTECTED_PREFIXES = ["/"]
WAGTAIL_SITE_NAME = "金财内网"
OTP_TOTP_ISSUER = "金财内网"
