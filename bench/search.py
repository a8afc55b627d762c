"""Search benchmark: query latency (p50/p95) and indexing throughput per backend, against a plain
SQL LIKE scan of the same data measured in the same run.

    .venv/bin/python bench/search.py                       # 10,000 and 100,000 documents
    .venv/bin/python bench/search.py --sizes 10000 --backends sqlite
    PG_URL=postgres://jincai:jincai@127.0.0.1/jincai SEARCH_URL=http://127.0.0.1:9200 .venv/bin/python bench/search.py

Backends: ``sqlite`` (SQLite FTS5), ``postgres`` (PostgreSQL full-text search; needs PG_URL, a
role that may create databases), ``opensearch`` (needs SEARCH_URL). Each (backend, size) runs in
its own process on a fresh database and index. Documents are synthetic, built from the judged
set's sentences and the fiscal dictionary; queries mix rare and common words. The goal: search
p95 under 10% of the LIKE scan's median time at 100,000 documents.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
QUERIES = ["国库集中支付", "公务卡 报销", "非税收入", "政府采购 中小企业", "部门预算编制", "金财工程",
           "财办信 8号", "2009 8号", "专项债券", "绩效评价 结果", "高标准农田", "电子票据 查验", "服务器 采购",
           "差旅费 住宿费", "惠民惠农 一卡通", "预算公开", "转移支付", "政府购买服务", "留抵退税", "内部控制报告"]
REPEAT = 3


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1))))
    return ordered[k]


def _make_docs(n: int, seed: int = 7):
    from search import judged
    from search.analysis import fiscal_terms

    rnd = random.Random(seed)
    source = judged.documents()
    sentences = [s for d in source for s in d["body"].replace("\n", "。").split("。") if len(s) > 6]
    titles = [d["title"] for d in source]
    terms = fiscal_terms()
    codes = ["财办信", "财库", "财预", "财采", "财综", "财农", "财会"]
    kinds = ["policy", "news", "qa", "tender"]
    issuers = ["宝鸡市财政局", "渭滨区财政局", "金台区财政局", "陈仓区财政局", "岐山县财政局", "眉县财政局"]
    for i in range(n):
        year = rnd.randint(2005, 2024)
        title = rnd.choice(titles)[:20] + rnd.choice(terms) + f"（{i}）"
        body = "。".join(rnd.sample(sentences, 4)) + "。" + "、".join(rnd.sample(terms, 3)) + "。"
        number = f"宝市{rnd.choice(codes)}〔{year}〕{rnd.randint(1, 60)}号" if rnd.random() < 0.4 else ""
        yield dict(title=title, body=body, doc_number=number, kind=rnd.choice(kinds), issuer=rnd.choice(issuers),
                   year=year)


def child(size: int, backend: str) -> dict:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Q
    from django.utils import timezone

    from search.models import Entry
    from search.services import access, engine, indexing
    from search.services.query import parse

    call_command("migrate", verbosity=0)
    rows = [Entry(key=f"bench:{i}", source="bench", is_public=True, published_at=timezone.now(), **d)
            for i, d in enumerate(_make_docs(size))]
    Entry.objects.bulk_create(rows, batch_size=2000)
    del rows
    started = time.perf_counter()
    indexing.reindex_all(batch=1000)
    indexing.refresh()
    index_seconds = time.perf_counter() - started

    base = access.public_entries()
    search_times, scan_times, totals = [], [], []
    for q in QUERIES:
        req = parse({"q": q})
        engine.run(req, base, with_facets=False)  # warm
        for _ in range(REPEAT):
            t = time.perf_counter()
            outcome = engine.run(req, base, with_facets=False)
            search_times.append(time.perf_counter() - t)
        totals.append(outcome.total)
        # The baseline: what a site without a search index does, a LIKE scan for every word.
        cond = Q()
        for token in req.tokens:
            cond &= Q(title__contains=token) | Q(body__contains=token) | Q(doc_number__contains=token)
        for _ in range(REPEAT):
            t = time.perf_counter()
            scan = base.filter(cond)
            list(scan.order_by("-published_at")[:10])
            scan.count()
            scan_times.append(time.perf_counter() - t)
    facet_times = []
    for q in QUERIES[:8]:
        t = time.perf_counter()
        engine.run(parse({"q": q}), base)
        facet_times.append(time.perf_counter() - t)
    return {
        "backend": backend, "db": connection.vendor, "size": size, "index_seconds": index_seconds,
        "docs_per_second": size / index_seconds, "p50": statistics.median(search_times),
        "p95": _percentile(search_times, 95), "facets_p50": statistics.median(facet_times),
        "scan_p50": statistics.median(scan_times), "scan_p95": _percentile(scan_times, 95),
        "median_hits": statistics.median(totals),
    }


def run_one(size: int, backend: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SEARCH_URL")}
    env["DJANGO_SETTINGS_MODULE"] = "intranet.settings"
    env["JINCAI_DATA_DIR"] = tempfile.mkdtemp(prefix="jincai-bench-")
    env["LOG_LEVEL"] = "WARNING"
    dbname = None
    if backend == "postgres":
        import psycopg

        dbname = f"jincai_bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(os.environ["PG_URL"], autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {dbname}")
        env["DATABASE_URL"] = os.environ["PG_URL"].rsplit("/", 1)[0] + "/" + dbname
    if backend == "opensearch":
        env["SEARCH_URL"] = os.environ["SEARCH_URL"]
        env["SEARCH_INDEX_PREFIX"] = f"jincai-bench-{uuid.uuid4().hex[:6]}"
    try:
        out = subprocess.run([sys.executable, __file__, "--child", str(size), backend], cwd=REPO, env=env,
                             capture_output=True, text=True, check=False)
        if out.returncode:
            raise SystemExit(f"{backend} {size} failed:\n{out.stderr[-3000:]}")
        return json.loads(out.stdout.strip().splitlines()[-1])
    finally:
        if dbname:
            import psycopg

            with psycopg.connect(os.environ["PG_URL"], autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {dbname} WITH (FORCE)")
        if backend == "opensearch":
            from opensearchpy import OpenSearch

            OpenSearch(hosts=[os.environ["SEARCH_URL"]]).indices.delete(index=env["SEARCH_INDEX_PREFIX"] + "_*")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--backends", default="")
    parser.add_argument("--child", nargs=2, metavar=("SIZE", "BACKEND"))
    args = parser.parse_args()
    sys.path.insert(0, str(REPO))
    if args.child:
        print(json.dumps(child(int(args.child[0]), args.child[1])))
        return
    backends = [b for b in args.backends.split(",") if b] or (
        ["sqlite"] + (["postgres"] if os.environ.get("PG_URL") else []) + (["opensearch"] if os.environ.get("SEARCH_URL") else []))
    print(f"{'backend':<11}{'docs':>8}{'index docs/s':>14}{'p50 ms':>9}{'p95 ms':>9}{'+facets ms':>12}"
          f"{'LIKE p50 ms':>13}{'p95/LIKE':>10}{'hits':>7}")
    for size in [int(s) for s in args.sizes.split(",")]:
        for backend in backends:
            r = run_one(size, backend)
            ratio = r["p95"] / r["scan_p50"]
            print(f"{backend:<11}{size:>8}{r['docs_per_second']:>14.0f}{r['p50'] * 1000:>9.1f}{r['p95'] * 1000:>9.1f}"
                  f"{r['facets_p50'] * 1000:>12.1f}{r['scan_p50'] * 1000:>13.1f}{ratio:>9.1%}"
                  f"{r['median_hits']:>7.0f}  {'ok' if ratio < 0.10 else 'ABOVE GOAL'}", flush=True)


if __name__ == "__main__":
    main()
