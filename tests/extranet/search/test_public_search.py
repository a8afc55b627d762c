"""The public search page and its JSON endpoints on the extranet."""

import re

import pytest
from wagtail.models import Page

from extranet.portal.models import StandardPage
from search.models import Entry
from search.services import indexing

pytestmark = pytest.mark.django_db


@pytest.fixture
def corpus():
    indexing.upsert("t:plan", source="t", kind="policy", title="关于加快宝鸡市财政信息化及金财工程建设的实施意见",
                    body="以金财工程为统领，推进国库集中支付制度改革。", doc_number="宝市财办信〔2009〕8号",
                    issuer="宝鸡市财政局", url="/policies/jincai/", public=True)
    indexing.upsert("t:news", source="t", kind="news", title="金财工程二期启动", body="金财工程二期建设启动。",
                    issuer="宝鸡市财政局", public=True)
    indexing.upsert("t:secret", source="t", kind="document", title="金财工程内部测算", body="内部", grants=["dept:X"])
    indexing.refresh()


def test_results_page_has_highlights_facets_and_sorting(client, corpus):
    page = client.get("/search/", {"q": "金财工程"}).content.decode()
    assert "<mark>金财工程</mark>" in page and 'href="/policies/jincai/"' in page
    assert "2 个结果" in page or "2 results" in page
    assert "宝市财办信〔2009〕8号" in page
    assert "内部测算" not in page
    assert re.search(r'href="\?q=%E9%87%91%E8%B4%A2%E5%B7%A5%E7%A8%8B&amp;type=policy"', page)
    assert "sort=date" in page
    assert "<script>" not in page.split("</head>")[1]  # no inline script (CSP script-src 'self')


def test_query_is_escaped(client, corpus):
    page = client.get("/search/", {"q": "<img src=x onerror=alert(1)> 金财工程"}).content.decode()
    assert "<img src=x" not in page and "&lt;img src=x" in page


def test_no_results_help_and_empty_query(client, corpus):
    page = client.get("/search/", {"q": "完全不存在的词语组合"})
    assert page.status_code == 200 and "search-help" in page.content.decode()
    assert client.get("/search/").status_code == 200


@pytest.mark.parametrize("params", [{"q": "税" * 500}, {"q": "%%%"}, {"q": "税", "year": "abc"},
                                    {"q": "税", "type": "x"}, {"q": "税", "page": "0"}, {"q": "税", "sort": "x"}])
def test_bad_input_is_a_clear_message_not_an_error(client, corpus, params):
    page = client.get("/search/", params)
    assert page.status_code == 400 and 'role="alert"' in page.content.decode()
    api = client.get("/search/api/", params)
    assert api.status_code == 400 and api.json()["error"]["message"]


def test_json_api(client, corpus):
    data = client.get("/search/api/", {"q": "财办信 8号"}).json()
    assert data["total"] == 1 and data["results"][0]["doc_number"] == "宝市财办信〔2009〕8号"
    assert data["results"][0]["url"] == "/policies/jincai/"
    assert {f["value"] for f in data["facets"]["kind"]} == {"policy"}
    assert client.get("/search/api/").status_code == 400


def test_suggest_endpoint(client, corpus):
    data = client.get("/search/suggest/", {"q": "金财"}).json()
    titles = [s["title"] for s in data["suggestions"]]
    assert "金财工程二期启动" in titles and "金财工程内部测算" not in titles
    assert client.get("/search/suggest/", {"q": ""}).json()["suggestions"] == []


def test_published_pages_are_indexed_through_celery(client, celery_eager, django_capture_on_commit_callbacks):
    root = Page.get_first_root_node()
    page = StandardPage(title="政府采购意向公开指南", slug="caigou-yixiang", introduction="采购意向公开的要求")
    with django_capture_on_commit_callbacks(execute=True):
        root.add_child(instance=page)
        page.save_revision().publish()
    indexing.refresh()
    data = client.get("/search/api/", {"q": "采购意向"}).json()
    assert [r["title"] for r in data["results"]] == ["政府采购意向公开指南"]
    with django_capture_on_commit_callbacks(execute=True):
        page.unpublish()
    indexing.refresh()
    assert client.get("/search/api/", {"q": "采购意向"}).json()["total"] == 0
    assert not Entry.objects.filter(source="page").exists()
