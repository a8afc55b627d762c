"""Settings of the public extranet portal."""

from common.settings import configure

configure(globals(), side="extranet")

INSTALLED_APPS = ["extranet.portal", *INSTALLED_APPS]  # noqa: F821  (filled by configure)

# Staff screens (Wagtail admin, Django admin) and supplier accounts need password + OTP;
# the public pages do not.
JINCAI_OTP_PROTECTED_PREFIXES = ["/admin/", "/django-admin/", "/supplier/"]
WAGTAIL_SITE_NAME = "金财门户"
OTP_TOTP_ISSUER = "金财门户"
