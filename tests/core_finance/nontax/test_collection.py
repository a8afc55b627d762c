"""Collection files from the agent bank: each code settles exactly once, late fees are checked,
bad lines refuse the whole file with a report per line."""

import datetime as dt
from decimal import Decimal

import pytest

from common.audit.models import AuditEvent
from core_finance.errors import FinanceRuleError, RowErrors
from core_finance.nontax import collection
from core_finance.nontax.models import CollectionFile, DuplicateLine, Settlement
from tests.core_finance.helpers import refresh
from tests.subproc import REPO

pytestmark = pytest.mark.django_db
D = Decimal


def test_a_payment_settles_its_notice_with_the_late_fee(notice, deliver, nt_clerk):
    n = notice()
    upload = collection.import_collection_file(deliver([n], dt.date(2026, 11, 20)), "c.csv", nt_clerk)
    s = Settlement.objects.get(notice=n)
    assert (s.principal, s.late_fee, s.total) == (D("10000.00"), D("50.00"), D("10050.00"))
    assert refresh(n).status == "paid"
    assert (upload.settled, upload.duplicates, upload.total) == (1, 0, D("10050.00"))
    assert AuditEvent.objects.filter(action="finance.nontax.collection_import").count() == 1


def test_the_same_file_delivered_twice_is_recorded_as_duplicates_not_counted(notice, deliver, nt_clerk):
    a, b = notice(), notice(payer="宝鸡渭滨商贸有限公司")
    data = deliver([a, b])
    first = collection.import_collection_file(data, "c.csv", nt_clerk)
    second = collection.import_collection_file(data, "c.csv", nt_clerk)
    assert (first.settled, second.settled, second.duplicates, second.total) == (2, 0, 2, 0)
    assert Settlement.objects.count() == 2
    assert DuplicateLine.objects.filter(file=second, same_payment=True).count() == 2
    assert CollectionFile.objects.filter(sha256=first.sha256).count() == 2


def test_a_line_repeated_within_a_file_counts_once(notice, deliver, nt_clerk):
    n = notice()
    upload = collection.import_collection_file(deliver([n], repeat=[n]), "c.csv", nt_clerk)
    assert (upload.lines, upload.settled, upload.duplicates, upload.total) == (2, 1, 1, D("10050.00"))


def test_bad_lines_refuse_the_whole_file_with_a_report_per_line(notice, deliver, nt_clerk):
    good, wrong_fee, gone = notice(), notice(), notice()
    data = deliver([good, wrong_fee, gone]).decode()
    lines = data.splitlines()
    # line 4: the bank charged no late fee; line 5: the code's check digit is mistyped
    fields = lines[3].split(",")
    fields[3], fields[4] = "0.00", "10000.00"
    lines[3] = ",".join(fields)
    code = gone.payment_code
    lines[4] = lines[4].replace(code, code[:-1] + str((int(code[-1]) + 1) % 10))
    header = lines[0].split(",")
    header[5] = f"{D(header[5]) - D('50.00'):.2f}"
    lines[0] = ",".join(header)
    with pytest.raises(RowErrors) as exc:
        collection.import_collection_file(("\n".join(lines) + "\n").encode(), "c.csv", nt_clerk)
    rows = dict(exc.value.errors)
    assert set(rows) == {4, 5}
    assert "滞纳金" in rows[4] and "缴款码" in rows[5]
    assert not Settlement.objects.exists() and not CollectionFile.objects.exists()
    assert refresh(good).status == "issued"


@pytest.mark.parametrize("mutate", [
    lambda t: t.replace("#JINCAI-NTX-COLLECT", "#OTHER"),
    lambda t: t.replace(",1,ICBC,", ",2,ICBC,", 1),
    lambda t: "\n".join(t.splitlines()[:-1]) + "\n",  # a line lost: the announced count disagrees
    lambda t: t.encode("utf-16").decode("latin-1"),
])
def test_malformed_files_are_refused(notice, deliver, nt_clerk, mutate):
    a, b = notice(), notice()
    text = mutate(deliver([a, b]).decode())
    with pytest.raises(FinanceRuleError):
        collection.import_collection_file(text.encode("utf-8", "surrogateescape"), "c.csv", nt_clerk)
    assert not Settlement.objects.exists()


def test_cancelled_notices_and_other_banks_are_refused(notice, deliver, nt_clerk):
    from core_finance.nontax import services

    n = notice()
    data = deliver([n])
    services.cancel_notice(n, nt_clerk, "开错")
    with pytest.raises(RowErrors) as exc:
        collection.import_collection_file(data, "c.csv", nt_clerk)
    assert "作废" in exc.value.errors[0][1]
    other = notice(bank="CCB")
    with pytest.raises(RowErrors):
        collection.import_collection_file(deliver([other], bank="CCB").replace(b",CCB,", b",ICBC,", 1), "c.csv",
                                          nt_clerk)


def test_an_auditor_cannot_import(notice, deliver, nt_auditor):
    with pytest.raises(FinanceRuleError) as exc:
        collection.import_collection_file(deliver([notice()]), "c.csv", nt_auditor)
    assert exc.value.rule == "permission"


def test_the_simulated_bank_works_from_files(notice, nt_clerk, tmp_path):
    import subprocess
    import sys

    n = notice()
    name, text = collection.notice_file("ICBC", on=dt.date(2026, 11, 12))
    (tmp_path / name).write_text(text, encoding="utf-8")
    subprocess.run([sys.executable, "-m", "core_finance.nontax.banksim", str(tmp_path / name), str(tmp_path / "out"),
                    "--date", "2026-11-12"], check=True, capture_output=True, cwd=REPO)
    produced = (tmp_path / "out" / name.replace("NTX_NOTICE_", "NTX_COLLECT_")).read_bytes()
    upload = collection.import_collection_file(produced, "from-bank.csv", nt_clerk)
    assert upload.total == D("10010.00") and refresh(n).status == "paid"
