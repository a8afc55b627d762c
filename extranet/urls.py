from django.conf import settings
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.contrib.sitemaps.views import sitemap

from common.urls import handler400, handler403, handler404, handler500, shared_urlpatterns  # noqa: F401

urlpatterns = [
    *shared_urlpatterns(),
    path("sitemap.xml", sitemap),
    path("procurement/", include("extranet.procurement.urls")),
    path("supplier/", include("extranet.procurement.supplier_urls")),
    path("search/", include("search.urls")),
    path("", include("extranet.portal.urls")),
    path("consultation/", include("extranet.consultation.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Wagtail's page tree serves everything else; it must come last.
urlpatterns += [path("", include(wagtail_urls))]
