"""Settings of the public extranet portal."""

from common.settings import configure
from exchange.conf import exchange_beat_schedule

configure(globals(), side="extranet")

INSTALLED_APPS = ["extranet.portal", "extranet.consultation", "extranet.procurement", *INSTALLED_APPS]  # noqa: F821  (filled by configure)
# Anonymous page cache (extranet.portal.cache): after WhiteNoise, before sessions.
MIDDLEWARE.insert(MIDDLEWARE.index("common.middleware.RequestSizeLimitMiddleware") + 1,  # noqa: F821
                  "extranet.portal.cache.AnonymousPageCacheMiddleware")

# Staff screens (Wagtail admin, Django admin) and supplier accounts need password + OTP;
# the public pages do not.
JINCAI_OTP_PROTECTED_PREFIXES = ["/admin/", "/django-admin/", "/supplier/"]
WAGTAIL_SITE_NAME = "金财门户"
OTP_TOTP_ISSUER = "金财门户"
CELERY_BEAT_SCHEDULE = exchange_beat_schedule()
# The streaming bid upload enforces its own limits (files of 256 MB, see extranet.procurement.sealing).
JINCAI_LARGE_UPLOAD_PATHS = ["/supplier/bid-upload/"]
CELERY_BEAT_SCHEDULE["procurement-close"] = {"task": "supplier_portal.close_due_tenders", "schedule": 30.0,
                                             "options": {"expires": 25}}
