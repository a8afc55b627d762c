"""Relevance on the judged set (search/data/judged/): 312 documents in the style of a municipal
finance bureau's site (policies, interpretations, Q&A, news, tender notices, routine news that
mentions subjects in passing) and 81 queries with graded judgments and the documents that must
rank in the top 5. Measured on each backend with the same floors."""


from search import judged
from search.services import access, engine, indexing
from search.services.query import parse

NDCG_FLOOR = 0.80  # measured: SQLite 0.81, PostgreSQL 0.84, OpenSearch 0.85
RECALL5_FLOOR = 0.90  # measured: SQLite 0.91, PostgreSQL 0.94, OpenSearch 0.98


def _evaluate():
    by_pk = judged.load_entries()
    indexing.reindex_all()
    indexing.refresh()
    ndcgs, recalls, misses = [], [], []
    for q in judged.queries():
        outcome = engine.run(parse({"q": q["query"]}), access.public_entries(), with_facets=False)
        ranked = [by_pk[hit.entry.pk] for hit in outcome.hits]
        ndcgs.append(judged.ndcg_at(ranked, q["relevant"], 10))
        recall = judged.recall_at(ranked, q["must_top5"], 5)
        recalls.append(recall)
        if recall < 1:
            misses.append((q["id"], q["query"], ranked[:5]))
    return sum(ndcgs) / len(ndcgs), sum(recalls) / len(recalls), misses


def test_judged_set_is_big_enough_and_consistent():
    docs = {d["id"] for d in judged.documents()}
    queries = judged.queries()
    assert len(docs) >= 300 and len(queries) >= 60
    assert {d["type"] for d in judged.documents()} >= {"policy", "news", "qa", "tender"}
    for q in queries:
        assert q["must_top5"] and set(q["must_top5"]) <= set(q["relevant"]) <= docs, q["id"]


def test_relevance_floors(each_backend, capsys):
    ndcg, recall, misses = _evaluate()
    with capsys.disabled():
        print(f"\n[{each_backend}] nDCG@10={ndcg:.3f} recall@5={recall:.3f} misses={len(misses)}")
        for miss in misses:
            print("   ", miss)
    assert ndcg >= NDCG_FLOOR, misses
    assert recall >= RECALL5_FLOOR, misses
