"""URL patterns both deployments share: login, admin sites, health, preferences."""

from django.contrib import admin
from django.shortcuts import redirect
from django.urls import include, path
from django.utils.http import urlencode
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from common import views


def _to_otp_login(request, *args, **kwargs):
    """Wagtail's and Django's own login pages hand over to the two-step login."""
    query = urlencode({"next": request.GET.get("next", "/admin/")})
    return redirect(f"/accounts/login/?{query}")


admin.site.login = _to_otp_login
admin.site.site_header = "金财"


def shared_urlpatterns():
    return [
        path("healthz", views.healthz, name="healthz"),
        path("robots.txt", views.robots_txt),
        path("accounts/", include("common.accounts.urls")),
        path("i18n/", include("django.conf.urls.i18n")),
        path("display/", views.display_preferences, name="display_preferences"),
        path("django-admin/", admin.site.urls),
        path("admin/login/", _to_otp_login, name="wagtailadmin_login_otp"),
        path("admin/", include(wagtailadmin_urls)),
        path("documents/", include(wagtaildocs_urls)),
    ]


handler400 = views.bad_request
handler403 = views.permission_denied
handler404 = views.page_not_found
handler500 = views.server_error
