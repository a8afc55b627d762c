"""Benchmark of the official document system (not a test).

    DATABASE_URL=postgres://jincai:jincai@127.0.0.1/jincai .venv/bin/python bench/oa.py [--users 20] [--docs 200]

1. Number allocation (编号) by 20 concurrent clerks on PostgreSQL: every number given exactly once,
   no gaps; throughput against the same work done by one clerk in the same run.
2. Other state transitions (送核稿 → 核稿通过) by 20 concurrent users on their own documents, against
   one user.
3. PDF rendering (GB/T 9704, WeasyPrint) time per page against a plain HTML render of the same document.
4. The document list's search through the permission-filtered search index, against the plain
   text match (icontains) it replaced; and the cost of indexing a document with its grants.

It works in a scratch database ``<name>_bench_oa`` next to the one in DATABASE_URL, created and
dropped by the run, and a temporary data dir.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def scratch_database(url: str) -> tuple[str, str]:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/") + "_bench_oa"
    admin = urlunsplit(parts._replace(scheme="postgresql"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path="/" + name)), admin


def drop_database(admin: str, url: str) -> None:
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def setup_bureau():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from common import demo
    from common.accounts.models import Department
    from intranet.oa.demo import grant_permissions

    demo.ensure_departments({"BGS": "办公室", "YSK": "预算科"})
    demo.ensure_roles({"科员": [], "科长": [], "局领导": []})
    grant_permissions()
    User = get_user_model()
    bgs = Department.objects.get(code="BGS")

    def person(name, roles):
        user = User.objects.create(username=name, department=bgs, is_staff=True)
        user.groups.set([*Group.objects.filter(name__in=roles), bgs.group])
        return User.objects.get(pk=user.pk)

    return person("clerk", ["科员"]), person("chief", ["科长"]), person("leader", ["局领导"])


def outsider(clerk):
    from django.contrib.auth import get_user_model

    from common import demo
    from common.accounts.models import Department

    demo.ensure_departments({"CGB": "政府采购办"})
    user = get_user_model().objects.create(username="outsider", department=Department.objects.get(code="CGB"),
                                           is_staff=True)
    return get_user_model().objects.get(pk=user.pk)


def make_signed(n: int, clerk, leader, agency_code: str) -> list:
    """Documents in state 'signed' (made directly: the bench measures numbering, not signing)."""
    from django.utils import timezone

    from intranet.oa.models import Document, Task

    docs = Document.objects.bulk_create(Document(
        kind="out", state="signed", doc_type="notice", title=f"关于基准测试的通知 {i}", main_recipients="局属各单位",
        body="正文", issuing_agency="宝鸡市财政局文件", agency_code=agency_code, signature_agency="宝鸡市财政局",
        department=clerk.department, created_by=clerk, signed_by=leader, signer_name="leader",
        signed_at=timezone.now()) for i in range(n))
    Task.objects.bulk_create(Task(document=d, step="signed", permission="clerk_document") for d in docs)
    return docs


def run_parallel(users: int, chunks: list[list], work) -> float:
    from django.db import connection

    barrier = threading.Barrier(users)

    def one(chunk):
        barrier.wait()
        try:
            for item in chunk:
                work(item)
        finally:
            connection.close()

    start = time.perf_counter()
    with ThreadPoolExecutor(users) as pool:
        list(pool.map(one, chunks))
    return time.perf_counter() - start


def bench_numbering(users: int, n: int, clerk, leader) -> None:
    from intranet.oa.models import Document
    from intranet.oa.workflow import transition

    base_docs = make_signed(n // 4, clerk, leader, "宝市财基")
    start = time.perf_counter()
    for d in base_docs:
        transition(d, "assign_number", clerk)
    one = len(base_docs) / (time.perf_counter() - start)
    docs = make_signed(n, clerk, leader, "宝市财办")
    elapsed = run_parallel(users, [docs[i::users] for i in range(users)],
                           lambda d: transition(d, "assign_number", clerk))
    many = n / elapsed
    numbers = list(Document.objects.filter(agency_code="宝市财办").values_list("number", flat=True))
    ok = sorted(numbers) == list(range(1, n + 1))
    print(f"numbering   1 clerk : {one:8.1f} numbers/s ({len(base_docs)} documents)")
    print(f"numbering {users:>2} clerks: {many:8.1f} numbers/s ({n} documents, {elapsed:.2f} s)")
    print(f"  ratio concurrent/single: {many / one:.2f}x   distinct and gapless 1..{n}: {'yes' if ok else 'NO'}")
    if not ok:
        raise SystemExit("duplicate or missing numbers")


def bench_transitions(users: int, n: int, clerk, chief) -> None:
    from intranet.oa.services.documents import create_draft
    from intranet.oa.workflow import transition

    def cycle(doc):
        doc = transition(doc, "submit", clerk)
        transition(doc, "review_pass", chief)

    fields = {"title": "关于基准测试的通知", "main_recipients": "局属各单位", "body": "正文"}
    base = [create_draft(clerk, **fields) for _ in range(n // 8)]
    start = time.perf_counter()
    for d in base:
        cycle(d)
    one = 2 * len(base) / (time.perf_counter() - start)
    docs = [create_draft(clerk, **fields) for _ in range(n // 2)]
    elapsed = run_parallel(users, [docs[i::users] for i in range(users)], cycle)
    many = 2 * len(docs) / elapsed
    print(f"transitions   1 user : {one:8.1f} transitions/s")
    print(f"transitions {users:>2} users: {many:8.1f} transitions/s ({2 * len(docs)} transitions, {elapsed:.2f} s)")
    print(f"  ratio concurrent/single: {many / one:.2f}x")


def bench_render(clerk) -> None:
    from intranet.oa.demo import plan_body
    from intranet.oa.services.documents import create_draft
    from intranet.oa.services.render import render_html, render_pages

    doc = create_draft(clerk, title="关于加快宝鸡市财政信息化及金财工程建设的实施意见", main_recipients="各县区财政局",
                       body=plan_body())
    render_pages(doc)  # warm up fonts and caches
    rounds = 3
    start = time.perf_counter()
    for _ in range(rounds):
        _, pages = render_pages(doc)
    pdf = (time.perf_counter() - start) / rounds
    start = time.perf_counter()
    html_rounds = 50
    for _ in range(html_rounds):
        render_html(doc)
    html = (time.perf_counter() - start) / html_rounds
    print(f"render PDF : {pdf * 1000:8.1f} ms for {pages} pages = {pdf / pages * 1000:.1f} ms/page")
    print(f"render HTML: {html * 1000:8.2f} ms for the same document = {html / pages * 1000:.2f} ms/page")
    print(f"  ratio PDF/HTML: {pdf / html:.0f}x")


def bench_search(clerk, outsider) -> None:
    """The document list's search (permission-filtered index) against the plain text match it replaced."""
    from django.db.models import Q

    from intranet.oa.models import Document
    from intranet.oa.permissions import visible_documents
    from intranet.oa.services import finding, indexing
    from search.services import indexing as search_indexing

    ids = list(Document.objects.values_list("pk", flat=True))
    start = time.perf_counter()
    for pk in ids:
        indexing.sync_document(pk)
    search_indexing.refresh()
    per_doc = (time.perf_counter() - start) / len(ids)
    rounds, q = 20, "基准测试"

    def timed(fn) -> float:
        fn()
        begin = time.perf_counter()
        for _ in range(rounds):
            fn()
        return (time.perf_counter() - begin) / rounds

    indexed = timed(lambda: finding.search(clerk, q))
    plain = timed(lambda: list(visible_documents(clerk).filter(Q(title__icontains=q) | Q(body__icontains=q))[:200]))
    hits, hidden = finding.search(clerk, q).count, finding.search(outsider, q).count
    print(f"search index: {per_doc * 1000:8.1f} ms per document (text and grants; {len(ids)} documents)")
    print(f"search list : {indexed * 1000:8.1f} ms per query ({hits} hits; another department: {hidden})")
    print(f"plain match : {plain * 1000:8.1f} ms per query (the former icontains filter)")
    print(f"  ratio index/plain: {indexed / plain:.2f}x")
    if hidden:
        raise SystemExit("another department found documents it may not open")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--docs", type=int, default=200)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres", "postgresql")):
        raise SystemExit("set DATABASE_URL to a PostgreSQL database (the concurrency figures need one)")
    bench_url, admin = scratch_database(url)
    os.environ.update(DATABASE_URL=bench_url, DJANGO_SETTINGS_MODULE="intranet.settings",
                      JINCAI_DATA_DIR=tempfile.mkdtemp(prefix="jc-bench-oa-"), LOG_LEVEL="WARNING")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    try:
        call_command("migrate", verbosity=0)
        clerk, chief, leader = setup_bureau()
        print(f"PostgreSQL, {args.users} concurrent users, {os.cpu_count()} CPUs")
        bench_numbering(args.users, args.docs, clerk, leader)
        bench_transitions(args.users, args.docs, clerk, chief)
        bench_render(clerk)
        bench_search(clerk, outsider(clerk))
    finally:
        connections.close_all()
        drop_database(admin, bench_url)


if __name__ == "__main__":
    main()
