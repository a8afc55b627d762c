"""Finance core on PostgreSQL: payment applications per second under contention, and the budget
execution report over 1,000,000 budget and payment rows against a plain SQL aggregate of the same
rows, measured in the same run.

    DATABASE_URL=postgres://jincai:jincai@127.0.0.1/jincai .venv/bin/python bench/finance.py \
        [--rows 1000000] [--threads 8] [--payments 200]

It works in a scratch database ``<name>_bench_finance`` next to the one in DATABASE_URL, created
and migrated at the start and dropped at the end. Figures:

- payments/s: check-and-reserve applications (lock the indicator row, check, append the
  transaction, audit) by one thread, then by --threads threads against ONE indicator (every
  request queues on the same row lock) and against one indicator per thread. The contended rate
  is compared with the single-thread rate; the balance is checked against the transactions.
- report: ``core_finance.services.reports.execution`` (by agency, by functional class, by economic
  class; budget per group plus executed per group and month, rolled up to the class and named)
  over --rows rows (a tenth indicators, the rest payment applications, generated with
  generate_series), against the plain SQL aggregates of the same rows: the two GROUP BY queries
  on the dimension's id column, nothing else (best of three each). Goal: the report within 2× of
  the plain aggregate.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def scratch_database(url: str) -> tuple[str, str]:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/") + "_bench_finance"
    admin = urlunsplit(parts._replace(scheme="postgresql"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path="/" + name)), admin


def drop_database(admin: str, url: str) -> None:
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def best_of(runs: int, work) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def setup_finance():
    """Code tables, agencies and two users (a clerk and an approver) with their permissions."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    from core_finance.demo import AGENCIES, CODE_YEARS, ROLE_PERMS
    from core_finance.models import Agency
    from core_finance.reference_codes import codes_csv
    from core_finance.services.codes import load_codes

    for year in CODE_YEARS:
        load_codes(codes_csv(year))
    for code, name, parent, bank in AGENCIES:
        Agency.objects.create(code=code, name=name, parent=Agency.objects.filter(code=parent).first(),
                              is_department=parent is None, agent_bank=bank)
    for i in range(40):  # more units, so that the report has groups worth the name
        Agency.objects.create(code=f"199{i:03d}", name=f"基准测试单位{i:02d}", agent_bank="ICBC")
    users = []
    for username, role in (("bench-clerk", "科员"), ("bench-chief", "科长")):
        user = get_user_model().objects.create_user(username, password=None, is_staff=True)
        user.user_permissions.set(Permission.objects.filter(content_type__app_label="core_finance",
                                                            codename__in=ROLE_PERMS[role]))
        users.append(get_user_model().objects.get(pk=user.pk))
    return users


def bench_payments(clerk, chief, threads: int, count: int) -> None:
    from django.conf import settings
    from django.db import connection

    from core_finance.errors import FinanceRuleError
    from core_finance.models import Agency
    from core_finance.services import indicators, payments

    settings.JINCAI_FINANCE_PAYMENT_PLANS = False
    agency = Agency.objects.get(code="101001")

    def indicator(amount):
        return indicators.issue(year=2026, agency=agency, functional="2010601", dept_econ="30201", funding="11",
                                amount=amount, doc_number="基准〔2026〕1号", user=chief)

    def apply(ind, i):
        return payments.create_application(indicator=ind, amount=Decimal("1.00"), payment_type="5201",
                                           payee_name=f"收款人{i}", payee_account="6222", payee_bank="工行",
                                           purpose="基准测试", user=clerk)

    def run(n_threads, targets, per_thread):
        barrier, refused = threading.Barrier(n_threads), []

        def worker(t):
            try:
                barrier.wait()
                for i in range(per_thread):
                    try:
                        apply(targets[t % len(targets)], i)
                    except FinanceRuleError:
                        refused.append(1)
            finally:
                connection.close()

        workers = [threading.Thread(target=worker, args=(t,)) for t in range(n_threads)]
        start = time.perf_counter()
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        elapsed = time.perf_counter() - start
        return (n_threads * per_thread - len(refused)) / elapsed

    single = run(1, [indicator("1000000.00")], count)
    per_thread = max(1, count // threads)
    shared_ind = indicator("1000000.00")
    shared = run(threads, [shared_ind], per_thread)
    spread = run(threads, [indicator("1000000.00") for _ in range(threads)], per_thread)
    shared_ind.refresh_from_db()
    derived = indicators.derived(shared_ind.pk)["balance"]
    ok = shared_ind.balance == derived == Decimal("1000000.00") - threads * per_thread
    print(f"payment applications/s: 1 thread {single:7.1f} | {threads} threads, one indicator {shared:7.1f} "
          f"| {threads} threads, one indicator each {spread:7.1f}")
    print(f"  contended / single-thread ratio: {shared / single:.2f}   balance = Σ transactions: {ok}")


def generate_rows(total: int) -> tuple[int, int]:
    """Insert a tenth of ``total`` indicators and the rest payment applications with generate_series."""
    from django.db import connection

    from core_finance.models import Agency, ClassificationCode, Indicator, PaymentApplication

    n_ind = total // 10
    n_pay = total - n_ind
    agencies = list(Agency.objects.values_list("pk", flat=True))
    functional = list(ClassificationCode.objects.filter(year=2026, table="functional", is_leaf=True).values_list(
        "pk", flat=True))
    econ = list(ClassificationCode.objects.filter(year=2026, table="dept_econ", is_leaf=True).values_list(
        "pk", "gov_mapping__gov_code_id"))
    funding = ClassificationCode.objects.get(year=2026, table="funding", code="11").pk
    ptype = ClassificationCode.objects.get(year=2026, table="payment_type", code="5201").pk
    user = Indicator.objects.values_list("created_by_id", flat=True).first()
    ind_table, pay_table = Indicator._meta.db_table, PaymentApplication._meta.db_table
    with connection.cursor() as cur:
        # A scratch database: the rows are consistent by construction, so the per-row foreign-key
        # triggers are dropped for the load (they would make it several times slower).
        for table in (ind_table, pay_table):
            cur.execute("SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f'",
                        [table])
            for (name,) in cur.fetchall():
                cur.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        cur.execute(f"""
            INSERT INTO {ind_table} (number, year, agency_id, functional_id, dept_econ_id, gov_econ_id,
                funding_id, doc_number, amount, budget, balance, created_by_id, created_at, note)
            SELECT 'BENCH-' || g, 2026, (%(agencies)s::bigint[])[1 + g %% %(na)s],
                (%(functional)s::bigint[])[1 + g %% %(nf)s], (%(econ)s::bigint[])[1 + g %% %(ne)s],
                (%(gov)s::bigint[])[1 + g %% %(ne)s], %(funding)s, '基准', 100000, 100000, 100000,
                %(user)s, now(), ''
            FROM generate_series(1, %(n)s) AS g
        """, {"agencies": agencies, "na": len(agencies), "functional": functional, "nf": len(functional),
              "econ": [e for e, _g in econ], "gov": [g for _e, g in econ], "ne": len(econ), "funding": funding,
              "user": user, "n": n_ind})
        cur.execute(f"SELECT min(id) FROM {ind_table} WHERE number LIKE 'BENCH-%%'")
        first = cur.fetchone()[0]
        cur.execute(f"""
            INSERT INTO {pay_table} (number, year, month, agency_id, indicator_id, functional_id, dept_econ_id,
                payment_type_id, kind, amount, refunded, payee_name, payee_account, payee_bank,
                payee_is_individual, is_cash, purpose, card_holder, attachment, status, created_by_id,
                created_at, comment)
            SELECT 'BENCHZF-' || g, 2026, 1 + g %% 12, i.agency_id, i.id, i.functional_id, i.dept_econ_id,
                %(ptype)s, 'direct', (1 + g %% 997)::numeric(18, 2), CASE WHEN g %% 50 = 0 THEN 1 ELSE 0 END,
                '收款人', '6222', '工行', false, false, '基准', '', '',
                CASE WHEN g %% 20 = 0 THEN 'reserved' WHEN g %% 33 = 0 THEN 'returned' ELSE 'paid' END,
                %(user)s, now(), ''
            FROM generate_series(1, %(n)s) AS g
            JOIN {ind_table} i ON i.id = %(first)s + g %% %(n_ind)s
        """, {"ptype": ptype, "user": user, "n": n_pay, "first": first, "n_ind": n_ind})
        cur.execute(f"ANALYZE {ind_table}")
        cur.execute(f"ANALYZE {pay_table}")
    return n_ind, n_pay


def plain_aggregate(dimension: str) -> list:
    """The same sums with nothing but SQL: each table grouped by the dimension's column (and month)."""
    from django.db import connection

    column = f"{dimension}_id"
    with connection.cursor() as cur:
        cur.execute(f"SELECT {column}, sum(budget) FROM core_finance_indicator WHERE year = 2026 GROUP BY 1")
        budget = cur.fetchall()
        cur.execute(f"""
            SELECT {column}, month, sum(amount - refunded) FROM core_finance_paymentapplication
            WHERE year = 2026 AND status IN ('approved', 'sent', 'paid') GROUP BY 1, 2""")
        executed = cur.fetchall()
    return budget + executed


def bench_report(rows: int) -> None:
    from core_finance.services import reports

    start = time.perf_counter()
    n_ind, n_pay = generate_rows(rows)
    print(f"generated {n_ind:,} indicators and {n_pay:,} payment applications in "
          f"{time.perf_counter() - start:.1f}s")
    for dimension, level in (("agency", None), ("functional", 1), ("dept_econ", 1)):
        report = reports.execution(2026, dimension, level)
        plain = plain_aggregate(dimension)
        assert sum(r[-1] for r in plain) == report["total"].budget + report["total"].executed
        t_report = best_of(3, lambda d=dimension, lv=level: reports.execution(2026, d, lv))
        t_plain = best_of(3, lambda d=dimension: plain_aggregate(d))
        print(f"execution report by {dimension:<10} {t_report * 1000:8.1f} ms | plain SQL aggregate "
              f"{t_plain * 1000:8.1f} ms | ratio {t_report / t_plain:.2f} (goal ≤ 2.00) | {len(report['rows'])} rows")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--payments", type=int, default=200)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres", "postgresql")):
        raise SystemExit("set DATABASE_URL to a PostgreSQL database: the row locks and the 1,000,000-row report "
                         "are measured on PostgreSQL, e.g. DATABASE_URL=postgres://jincai:jincai@127.0.0.1/jincai")
    bench_url, admin = scratch_database(url)
    os.environ.update(DATABASE_URL=bench_url, DJANGO_SETTINGS_MODULE="intranet.settings",
                      JINCAI_DATA_DIR=tempfile.mkdtemp(prefix="jc-bench-finance-"), LOG_LEVEL="WARNING")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    try:
        start = time.perf_counter()
        call_command("migrate", verbosity=0)
        clerk, chief = setup_finance()
        print(f"PostgreSQL scratch database ready in {time.perf_counter() - start:.1f}s; {os.cpu_count()} CPUs")
        bench_payments(clerk, chief, args.threads, args.payments)
        bench_report(args.rows)
    finally:
        connections.close_all()
        drop_database(admin, bench_url)


if __name__ == "__main__":
    main()
