"""Pages of the public portal.

Two kinds: pages portal editors manage in the Wagtail admin (home, sections, news, static
pages), and official records that only the exchange importer creates and updates (policies,
interpretations, disclosure datasets, official notices); those are read-only in the admin.
"""

from extranet.portal.models.base import (  # noqa: F401
    ArticlePage,
    CachedPageMixin,
    HomePage,
    OfficialRecord,
    SectionIndexPage,
    StandardPage,
)
from extranet.portal.models.disclosure import DatasetPage, DisclosureIndexPage, InfoDisclosureIndexPage  # noqa: F401
from extranet.portal.models.policy import (  # noqa: F401
    InterpretationPage,
    PolicyAttachment,
    PolicyDocumentPage,
    PolicyIndexPage,
)
