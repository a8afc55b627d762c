from django.conf import settings
from django.urls import include, path

from common.urls import handler400, handler403, handler404, handler500, shared_urlpatterns  # noqa: F401
from intranet.workbench import views

urlpatterns = [
    *shared_urlpatterns(),
    path("", views.home, name="home"),
    path("oa/", include("intranet.oa.urls")),
    path("website/", include("intranet.website.urls")),
    path("search/", include("search.urls_staff")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
