"""Real deployment processes (`python -m intranet|extranet exchange ...`) on their own SQLite data dirs:
a crash in the middle of an import, the two sides end to end, and the simulated provincial bureau."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time

from tests.exchange.conftest import REPO, Sender, item, run_side, side_env

HANDLERS = "tests.exchange.handlers"


def query(data_dir, side, sql):
    with sqlite3.connect(data_dir / side / "db.sqlite3") as db:
        return db.execute(sql).fetchall()


def test_a_killed_import_leaves_nothing_half_applied_and_a_rerun_applies_once(data_dir, keyhomes, tmp_path):
    run_side("intranet", data_dir, "exchange", "keygen", check=True)
    keyfile = tmp_path / "extranet.asc"
    keyfile.write_text(keyhomes["extranet"].public)
    run_side("intranet", data_dir, "exchange", "trust", str(keyfile), "--channel", "to-intranet", check=True)
    sender = Sender(keyhomes["extranet"], "to-intranet", data_dir / "ferry" / "to-intranet", tmp_path)
    sender.send([item("test.note", {"n": n}, index=n) for n in range(3)])

    marker = tmp_path / "in-the-middle"
    env = side_env(data_dir, JINCAI_EXCHANGE_HANDLER_MODULES=HANDLERS, JINCAI_TEST_CRASH_MARKER=str(marker))
    proc = subprocess.Popen([sys.executable, "-m", "intranet", "exchange", "import"], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while not marker.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)  # killed between the first and the second item
    proc.wait()

    assert query(data_dir, "intranet", "SELECT count(*) FROM exchange_receivedrecord") == [(0,)]
    assert query(data_dir, "intranet", "SELECT last_applied_seq FROM exchange_channelstate "
                                       "WHERE channel='to-intranet'") == [(0,)]

    env.pop("JINCAI_TEST_CRASH_MARKER")
    for _ in range(2):
        result = subprocess.run([sys.executable, "-m", "intranet", "exchange", "import"], cwd=REPO, env=env,
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
    assert query(data_dir, "intranet", "SELECT count(*) FROM exchange_receivedrecord") == [(3,)]
    assert query(data_dir, "intranet", "SELECT last_applied_seq FROM exchange_channelstate "
                                       "WHERE channel='to-intranet'") == [(1,)]


def test_intranet_to_extranet_end_to_end_with_damage_and_resend(data_dir):
    env = side_env(data_dir, JINCAI_EXCHANGE_HANDLER_MODULES=HANDLERS)

    def run(side, *args, check=False):
        return run_side(side, data_dir, *args, env=env, check=check)

    for side in ("intranet", "extranet"):
        run_side(side, data_dir, "exchange", "keygen", check=True)
    run("extranet", "exchange", "trust", str(data_dir / "intranet/exchange/public.asc"), check=True)
    queue = ("from exchange.services.outbox import enqueue\n"
             "for n in (1, 2): enqueue('to-extranet', 'test.note', 1, {'n': n})\n")
    run("intranet", "shell", "-c", queue, check=True)
    run("intranet", "exchange", "export", check=True)
    [package] = sorted((data_dir / "ferry" / "to-extranet").iterdir())
    assert run("extranet", "exchange", "verify", str(package)).returncode == 0

    damaged = bytearray(package.read_bytes())
    damaged[len(damaged) // 4] ^= 0x10
    package.write_bytes(damaged)
    result = run("extranet", "exchange", "verify", str(package))
    assert result.returncode == 1 and "invalid:" in result.stderr
    assert run("extranet", "exchange", "import").returncode != 0
    status = json.loads(run("extranet", "exchange", "status", "--json", check=True).stdout)
    channel = status["channels"]["to-extranet"]
    assert (channel["last_applied_seq"], channel["gaps"], channel["quarantined"]) == (0, [[1, 1]], 1)

    run("intranet", "exchange", "resend", "1", "1", check=True)
    run("extranet", "exchange", "import", check=True)
    assert query(data_dir, "extranet", "SELECT last_applied_seq FROM exchange_channelstate "
                                       "WHERE channel='to-extranet'") == [(1,)]
    assert query(data_dir, "extranet", "SELECT count(*) FROM exchange_quarantine WHERE resolved_at IS NULL") == [(0,)]
    assert query(data_dir, "extranet", "SELECT payload FROM exchange_receivedrecord ORDER BY id") == [('{"n": 1}',),
                                                                                                    ('{"n": 2}',)]
    assert query(data_dir, "extranet", "SELECT count(*) FROM audit_auditevent WHERE action='exchange.reject'") == [(1,)]


def test_the_simulated_province_exchanges_signed_encrypted_documents(data_dir, tmp_path):
    demo = "from exchange.demo import ensure_demo_keys\nensure_demo_keys('intranet')\n"
    run_side("intranet", data_dir, "shell", "-c", demo, check=True)
    sim = [sys.executable, "-m", "exchange.province_sim", "--data-dir", str(data_dir / "province")]
    env = side_env(data_dir)

    queue = ("from exchange.services.outbox import enqueue, Attachment\n"
             "from tests.exchange.conftest import PDF\n"
             "enqueue('to-province', 'oa.official_document', 1, {'document_id': 'oa:7', 'title': '关于预算执行情况的报告',"
             " 'doc_number': '宝市财发〔2025〕7号', 'issuer': '市财政局', 'issued_on': '2025-03-01', 'body_text': '正文'},"
             " classification='internal', attachments=[Attachment('报告.pdf', data=PDF)])\n")
    run_side("intranet", data_dir, "shell", "-c", queue, check=True)
    run_side("intranet", data_dir, "exchange", "export", check=True)
    [package] = (data_dir / "ferry" / "to-province").iterdir()
    assert b"%PDF" not in package.read_bytes()  # encrypted to the province on the way
    received = subprocess.run([*sim, "receive"], cwd=REPO, env=env, capture_output=True, text=True, timeout=60)
    assert received.returncode == 0, received.stderr
    assert json.loads(received.stdout)["received"] == [1]
    stored = sorted(p.name for p in (data_dir / "province" / "received" / "000001").iterdir())
    assert stored == ["0-01-报告.pdf", "0-message.json"]

    attachment = tmp_path / "通知.pdf"
    attachment.write_bytes(b"%PDF-1.4\n" + b"1" * 500)
    sent = subprocess.run([*sim, "send", str(attachment), "--title", "省厅通知"], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=60)
    assert sent.returncode == 0, sent.stderr
    run_side("intranet", data_dir, "exchange", "import", check=True)
    accepted = query(data_dir, "intranet", "SELECT detail FROM audit_auditevent WHERE action='exchange.accept'")
    assert [json.loads(d)["channel"] for (d,) in accepted] == ["from-province"]
    status = json.loads(run_side("intranet", data_dir, "exchange", "status", "--json", check=True).stdout)
    assert status["channels"]["from-province"]["last_applied_seq"] == 1
