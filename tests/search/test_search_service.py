"""Searching entries: the same expectations on the database backend and on OpenSearch."""

from datetime import datetime

import pytest
from django.utils import timezone

from search.models import Entry
from search.services import access, engine, indexing
from search.services.query import QueryError, parse


def _at(year, month=6):
    return timezone.make_aware(datetime(year, month, 1, 9))


def _corpus():
    indexing.upsert("t:plan", source="t", kind="policy", title="关于加快宝鸡市财政信息化及金财工程建设的实施意见",
                    body="以金财工程为统领，建设覆盖市县两级的财政专网。推进国库集中支付制度改革。",
                    doc_number="宝市财办信〔2009〕8号", issuer="宝鸡市财政局", published_at=_at(2009), public=True)
    indexing.upsert("t:card", source="t", kind="policy", title="宝鸡市市级预算单位公务卡管理办法",
                    body="持卡人使用公务卡结算后，应在免息期内凭发票办理报销。", doc_number="宝市财库〔2015〕9号",
                    issuer="宝鸡市财政局", published_at=_at(2015), public=True)
    indexing.upsert("t:card-news", source="t", kind="news", title="市财政局推进公务卡改革",
                    body="公务卡改革覆盖全部市级预算单位。", issuer="宝鸡市财政局", published_at=_at(2016), public=True)
    indexing.upsert("t:card-county", source="t", kind="policy", title="岐山县转发公务卡管理办法的通知",
                    body="现将公务卡管理办法转发给你们。", issuer="岐山县财政局", published_at=_at(2015, 9), public=True)
    for i in range(12):
        indexing.upsert(f"t:tender-{i}", source="t", kind="tender", title=f"服务器采购项目公开招标公告（{i + 1}）",
                        body="采购需求：财政一体化系统服务器。", issuer="宝鸡市财政局", published_at=_at(2023, 1 + i % 12),
                        public=True)
    indexing.refresh()


def _search(q, base=None, **params):
    return engine.run(parse({"q": q, **params}), base if base is not None else access.public_entries())


def test_document_number_found_as_written(each_backend):
    _corpus()
    for typed in ["财办信 8号", "2009 8号", "宝市财办信〔2009〕8号", "寶市財辦信〔２００９〕８號"]:
        outcome = _search(typed)
        assert [h.entry.key for h in outcome.hits][:1] == ["t:plan"], typed


def test_chinese_words_traditional_and_full_width(each_backend):
    _corpus()
    assert _search("金财工程").hits[0].entry.key == "t:plan"
    assert _search("國庫集中支付").hits[0].entry.key == "t:plan"
    assert _search("集中支付").total == 1


def test_snippets_are_highlighted_and_escaped(each_backend):
    indexing.upsert("t:x", source="t", kind="news", title="<b>公务卡</b>须知", body="a<script>x</script> 公务卡 须知",
                    public=True)
    indexing.refresh()
    hit = _search("公务卡").hits[0]
    assert str(hit.title_html) == "&lt;b&gt;<mark>公务卡</mark>&lt;/b&gt;须知"
    assert "<mark>公务卡</mark>" in hit.snippet_html and "<script>" not in hit.snippet_html


def test_facets_count_with_the_other_filters(each_backend):
    _corpus()
    outcome = _search("公务卡")
    assert outcome.total == 3
    assert {(v, c) for v, _label, c in outcome.facets["kind"]} == {("policy", 2), ("news", 1)}
    assert {(v, c) for v, _label, c in outcome.facets["issuer"]} == {("宝鸡市财政局", 2), ("岐山县财政局", 1)}
    filtered = _search("公务卡", type="policy")
    assert filtered.total == 2
    # The type facet still offers the other types (it ignores its own filter) ...
    assert {(v, c) for v, _label, c in filtered.facets["kind"]} == {("policy", 2), ("news", 1)}
    # ... while the others count within the filter.
    assert {(v, c) for v, _label, c in filtered.facets["year"]} == {(2015, 2)}
    assert _search("公务卡", year="2016").total == 1


def test_sort_by_date_and_pagination(each_backend):
    _corpus()
    by_date = _search("公务卡", sort="date")
    dates = [h.entry.published_at for h in by_date.hits]
    assert dates == sorted(dates, reverse=True)
    first, second = _search("服务器 招标", page="1"), _search("服务器 招标", page="2")
    assert first.total == 12 and first.pages == 2 and len(first.hits) == 10 and len(second.hits) == 2
    assert not {h.entry.pk for h in first.hits} & {h.entry.pk for h in second.hits}
    assert _search("服务器 招标", page="9").page == 2  # past the end: the last page


def test_entries_with_every_word_come_first_then_some(each_backend):
    _corpus()
    outcome = _search("公务卡 金财工程")
    assert outcome.relaxed and outcome.strict_total == 0 and outcome.total == 4
    outcome = _search("公务卡 免息期")
    assert outcome.hits[0].entry.key == "t:card" and outcome.strict_total == 1 and outcome.relaxed


def test_relaxed_results_continue_on_the_next_page(each_backend):
    _corpus()
    first, second = _search("服务器 公务卡", page="1"), _search("服务器 公务卡", page="2")
    assert first.relaxed and first.strict_total == 0 and first.total == second.total == 15
    assert len(first.hits) == 10 and len(second.hits) == 5 and second.page == 2
    assert len({h.entry.pk for h in first.hits + second.hits}) == 15


def test_no_results_offers_alternatives_that_find_something(each_backend):
    _corpus()
    outcome = _search("公物卡")
    assert outcome.total == 0
    assert "公务卡" in outcome.alternatives


def test_suggestions_complete_titles_and_document_numbers(each_backend):
    _corpus()
    titles = [s["title"] for s in engine.suggest("公务", access.public_entries())]
    assert "宝鸡市市级预算单位公务卡管理办法" in titles
    by_number = engine.suggest("宝市财办信〔2009〕8", access.public_entries())
    assert by_number[0]["doc_number"] == "宝市财办信〔2009〕8号"
    assert engine.suggest("!!!", access.public_entries()) == []


@pytest.mark.parametrize("params, code", [
    ({"q": "长" * 121}, "too_long"), ({"q": "!!!???"}, "no_words"), ({"q": "税", "type": "secret"}, "bad_type"),
    ({"q": "税", "year": "20x4"}, "bad_year"), ({"q": "税", "year": "1800"}, "bad_year"),
    ({"q": "税", "sort": "price"}, "bad_sort"), ({"q": "税", "page": "-1"}, "bad_page"),
    ({"q": "税", "page": "99999"}, "bad_page"), ({"q": "税\x00"}, "bad_text"),
    ({"q": " ".join(f"词{i}号" for i in range(20))}, "too_many_words"),
])
def test_bad_input_gives_a_clear_error(params, code):
    with pytest.raises(QueryError) as err:
        parse(params)
    assert err.value.code == code and err.value.message


def test_engine_syntax_is_just_text(each_backend):
    _corpus()
    for typed in ['公务卡" OR ""="', "公务卡 AND NOT 报销", "公务卡*", "title:公务卡", "(公务卡", '{"match_all": {}}']:
        outcome = _search(typed)
        assert outcome.total <= 3, typed


def test_removed_entries_disappear(each_backend):
    _corpus()
    assert indexing.remove("t:card")
    indexing.refresh()
    assert "t:card" not in [h.entry.key for h in _search("公务卡").hits]
    assert not Entry.objects.filter(key="t:card").exists()
    assert indexing.remove("t:card") is False


def _request_cache_hits() -> int:
    backend = engine.backend()
    stats = backend.es.indices.stats(index=backend.get_index_for_model(Entry).name, metric="request_cache")
    return stats["_all"]["total"]["request_cache"]["hit_count"]


def test_counts_follow_changes_even_for_a_search_made_before(each_backend):
    """A search engine keeps the counts of a search (total and facets) until its index changes:
    the same search again counts nothing, and after a change it counts again."""
    _corpus()
    assert _search("公务卡").total == 3
    if each_backend == "opensearch":
        hits = _request_cache_hits()
        assert _search("公务卡").total == 3
        assert _request_cache_hits() > hits  # answered from the engine's cache
    indexing.upsert("t:card-2024", source="t", kind="news", title="岐山县公务卡使用情况通报",
                    body="公务卡结算比例继续提高。", issuer="岐山县财政局", published_at=_at(2024), public=True)
    indexing.refresh()
    added = _search("公务卡")
    assert added.total == 4 and (2024, 1) in {(v, c) for v, _label, c in added.facets["year"]}
    assert indexing.remove("t:card")
    indexing.refresh()
    removed = _search("公务卡")
    assert removed.total == 3
    assert {(v, c) for v, _label, c in removed.facets["kind"]} == {("policy", 1), ("news", 2)}
