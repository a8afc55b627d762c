"""Segmentation and normalization: what makes Chinese text findable on every backend."""

import random
import unicodedata

from search.analysis import (
    fiscal_terms,
    index_tokens,
    nfkc,
    normalize,
    parse_doc_number,
    query_tokens,
    segment,
)


def test_fiscal_terms_stay_whole_in_queries():
    for term in ["金财工程", "国库集中支付", "非税收入", "政府采购", "部门预算", "公务卡"]:
        assert term in fiscal_terms()
        assert query_tokens(term) == [term]


def test_index_has_every_word_a_query_may_use():
    tokens = set(index_tokens("推进国库集中支付制度改革和城乡义务教育学校生均公用经费保障"))
    assert {"国库集中支付", "集中支付", "国库", "支付", "公用", "经费", "义务教育"} <= tokens
    for query in ["集中支付", "国库 支付", "义务教育 公用经费"]:
        assert set(query_tokens(query)) <= tokens, query


def test_full_width_and_traditional_are_normalized():
    assert normalize("ＡＢＣ１２３") == "abc123"
    assert normalize("國庫集中支付") == "国库集中支付"
    assert query_tokens("國庫集中支付") == ["国库集中支付"]
    assert query_tokens("２００９年") == ["2009"]


def test_document_number_is_searchable_as_written():
    tokens = set(index_tokens("宝市财办信〔2009〕8号"))
    assert {"宝市财办信", "财办信", "2009", "8号"} <= tokens
    for typed in ["财办信 8号", "2009 8号", "宝市财办信〔2009〕8号", "宝市财办信[2009]8号", "宝市财办信（2009）8号"]:
        assert set(query_tokens(typed)) <= tokens, typed
    assert parse_doc_number("根据宝市财办信〔2009〕8号文件") == ("根据宝市财办信", 2009, 8)
    assert parse_doc_number("没有文号") is None


def test_numbers_keep_their_units_but_8_is_not_8号():
    assert "8号" not in query_tokens("8")
    assert query_tokens("3.5万元 12%") == ["3.5万元", "12%"]


def test_symbols_and_syntax_never_become_tokens():
    assert query_tokens("!!! @@@ ### ***") == []
    assert query_tokens('"a" OR b* NEAR(c) -d') == ["b", "near", "c", "d"]  # a, or: stop words
    assert all(t.isalnum() or "." in t or "%" in t for t in index_tokens('标题" OR 1=1 --; <script>'))


def test_stop_words_are_dropped():
    assert query_tokens("公务卡怎么报销") == ["公务卡", "报销"]
    assert segment("的 了 和") == ""


def test_the_fast_nfkc_is_nfkc():
    # Full-width forms and the ideographic space take the fast path; a combining mark after a
    # full-width letter, circled digits, ligatures, half-width katakana and squared units must
    # still come out exactly as NFKC makes them.
    assert nfkc("２００９年，ＡＢ（试行）\u3000第８号") == "2009年,AB(试行) 第8号"
    assert nfkc("Ａ\u0301①ﬁｶﾞ㍱") == unicodedata.normalize("NFKC", "Ａ\u0301①ﬁｶﾞ㍱")
    pool = [chr(c) for c in [*range(0x20, 0x7F), *range(0xFF01, 0xFF5F), 0x3000, 0x301, 0x2460, 0x3371, 0xFE59,
                             0x2160, 0x4E00, 0x6587, 0x3002, 0x1E9E, 0x130, 0xFB01, 0x2126, 0xFF9E, 0xFF76]]
    rnd = random.Random(8)
    for _ in range(20000):
        text = "".join(rnd.choice(pool) for _ in range(rnd.randint(1, 12)))
        assert nfkc(text) == unicodedata.normalize("NFKC", text), repr(text)
