"""The search backend switch: SEARCH_URL selects a real OpenSearch node through Wagtail."""

import uuid

import pytest
from django.core.management import call_command
from wagtail.models import Page
from wagtail.search.backends import get_search_backend

from extranet.portal.models import StandardPage

pytestmark = pytest.mark.django_db


def _publish(title: str, intro: str) -> StandardPage:
    root = Page.get_first_root_node()
    page = StandardPage(title=title, slug=f"p-{uuid.uuid4().hex[:8]}", introduction=intro)
    root.add_child(instance=page)
    page.save_revision().publish()
    return page


@pytest.mark.opensearch
def test_opensearch_backend_indexes_and_finds_published_pages(settings):
    backend = get_search_backend()
    assert type(backend).__module__.startswith("modelsearch.backends.opensearch")
    marker = uuid.uuid4().hex[:10]
    page = _publish(f"国库集中支付 {marker}", "关于国库集中支付制度改革的通知")
    call_command("update_index", verbosity=0)
    results = list(StandardPage.objects.live().search(marker))
    assert page.pk in [p.pk for p in results]


def test_database_backend_is_the_embedded_default(monkeypatch):
    from common.settings import _search

    monkeypatch.delenv("SEARCH_URL", raising=False)
    assert _search()["default"]["BACKEND"] == "wagtail.search.backends.database"
    monkeypatch.setenv("SEARCH_URL", "http://127.0.0.1:9200")
    assert _search()["default"]["BACKEND"].endswith("opensearch2")
