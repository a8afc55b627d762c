"""`exchange keygen | trust | export | import | verify | status --json | resend` as operators use them."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from exchange.services import outbox
from tests.exchange.conftest import policy_body


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("exchange", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_keygen_is_idempotent_and_exports_the_public_key(xenv):
    out, _ = run("keygen")
    assert xenv.keys["intranet"].fingerprint in out and "exists" in out
    from exchange.services.keys import public_key_path

    assert "BEGIN PGP PUBLIC KEY BLOCK" in public_key_path().read_text()


def test_trust_names_the_channel_and_checks_the_fingerprint(xenv, tmp_path):
    keyfile = tmp_path / "extranet.asc"
    keyfile.write_text(xenv.keys["extranet"].public)
    with pytest.raises(CommandError):  # the intranet has two inbound channels: say which
        run("trust", str(keyfile))
    with pytest.raises(CommandError):
        run("trust", str(keyfile), "--channel", "to-intranet", "--fingerprint", xenv.keys["rogue"].fingerprint)
    out, _ = run("trust", str(keyfile), "--channel", "to-intranet", "--fingerprint",
                 xenv.keys["extranet"].fingerprint)
    assert f"pinned {xenv.keys['extranet'].fingerprint} for to-intranet" in out


def test_export_import_verify_status_and_resend(xenv, capsys):
    xenv.become("extranet")
    xenv.trust("intranet", "to-extranet")
    xenv.become("intranet")
    outbox.enqueue("to-extranet", "portal.policy.publish", 1, policy_body())
    out, _ = run("export")
    assert "to-extranet #1" in out
    [package] = list(xenv.ferry("to-extranet").iterdir())

    xenv.become("extranet")
    out, _ = run("verify", str(package))
    assert out.startswith("valid: to-extranet #1")
    damaged = package.parent.parent / "damaged.jxp"
    data = bytearray(package.read_bytes())
    data[600] ^= 1
    damaged.write_bytes(data)
    with pytest.raises(SystemExit) as exc:
        run("verify", str(damaged))
    assert exc.value.code == 1

    out, _ = run("import")
    assert "applied to-extranet #1" in out
    out, _ = run("import")  # nothing new: still success

    status = json.loads(run("status", "--json")[0])
    channel = status["channels"]["to-extranet"]
    assert {k: channel[k] for k in ("last_sent_seq", "last_applied_seq", "gaps", "quarantined")} == {
        "last_sent_seq": 1, "last_applied_seq": 1, "gaps": [], "quarantined": 0}

    xenv.become("intranet")
    package.unlink()
    out, _ = run("resend", "1", "1")
    assert "1 package(s) written again" in out and package.exists()
    with pytest.raises(CommandError):
        run("resend", "5", "9")


def test_import_exits_non_zero_when_anything_is_rejected(xenv, receiving):
    built = receiving.build()
    (receiving.ferry_dir / built.file_name).write_bytes(built.path.read_bytes()[:-10240] + b"\x01" * 10240)
    with pytest.raises(CommandError) as exc:
        run("import")
    assert exc.value.returncode == 1
    status = json.loads(run("status", "--json")[0])["channels"]["to-intranet"]
    assert status["quarantined"] == 1 and status["gaps"] == [[1, 1]]
