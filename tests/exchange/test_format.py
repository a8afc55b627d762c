"""The package format itself (library level, no database): what docs/exchange-format.md promises."""

from __future__ import annotations

import hashlib
import io
import subprocess
import tarfile
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from exchange import canonical
from exchange.errors import PackageRejected
from exchange.manifest import MANIFEST_NAME, SIGNATURE_NAME, ZERO_HASH, package_file_name
from exchange.package import verify_package
from tests.exchange.conftest import PDF, Sender, item, policy_body


@pytest.fixture
def out(tmp_path, keyhomes):
    return Sender(keyhomes["intranet"], "to-extranet", tmp_path / "ferry", tmp_path)


def check(path, keyhomes, **kwargs):
    kwargs.setdefault("pinned", {"to-extranet": {keyhomes["intranet"].fingerprint}})
    return verify_package(Path(path), gpg=keyhomes["extranet"].gpg, **kwargs)


def test_canonical_json_rules():
    assert canonical.dumps({"b": 1, "a": ["中", True, None]}) == '{"a":["中",true,null],"b":1}'.encode()
    for bad in (b'{"a":1.5}', b'{"a":1,"a":2}', b'{"a":NaN}', b"\xef\xbb\xbf{}", b'{"a":"\xff"}'):
        with pytest.raises(canonical.CanonicalError):
            canonical.loads_strict(bad)
    with pytest.raises(canonical.CanonicalError):
        canonical.loads_canonical(b'{"b":1, "a":2}')
    with pytest.raises(canonical.CanonicalError):
        canonical.dumps({"a": 0.5})


def test_round_trip_and_layout(out, keyhomes):
    built = out.build([item("portal.policy.publish", policy_body(), attachments=[PDF])])
    vp = check(built.path, keyhomes, expected_name=built.file_name)
    assert (vp.seq, vp.uuid, vp.prev, vp.signer) == (1, built.manifest["uuid"], ZERO_HASH,
                                                    keyhomes["intranet"].fingerprint)
    assert vp.items[0].body["title"] == "政策文件 1"
    assert vp.items[0].attachments[0].read_bytes() == PDF
    assert built.file_name == package_file_name("to-extranet", 1, built.manifest["uuid"])
    # Any tar reader sees the members in the specified order.
    with tarfile.open(built.path) as tf:
        assert tf.getnames() == [MANIFEST_NAME, SIGNATURE_NAME, "items/000000/message.json", "items/000000/file-01"]
    assert built.size % 10240 == 0
    assert hashlib.sha256(built.path.read_bytes()).hexdigest() == built.package_sha256


def test_a_third_party_writer_with_tar_and_gpg_is_compatible(tmp_path, keyhomes):
    """A package made by Python's tarfile and the gpg command line, following the spec only."""
    body = canonical.dumps(policy_body())
    now = datetime.now(UTC).replace(microsecond=0)
    manifest = {
        "format": "jincai-exchange/1", "channel": "to-extranet",
        "sender": {"fingerprint": keyhomes["intranet"].fingerprint, "name": "third party"},
        "seq": 1, "uuid": str(uuid.uuid4()), "created": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "expires": (now + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ"), "prev": ZERO_HASH,
        "items": [{"index": 0, "type": "portal.policy.publish", "version": 1, "classification": "public", "ref": "",
                   "files": [{"path": "items/000000/message.json", "role": "message",
                              "media_type": "application/json", "size": len(body),
                              "sha256": hashlib.sha256(body).hexdigest()}]}],
    }
    mbytes = canonical.dumps(manifest)
    (tmp_path / "m").write_bytes(mbytes)
    subprocess.run(["gpg", "--homedir", str(keyhomes["intranet"].home), "--batch", "--yes", "--local-user",
                    keyhomes["intranet"].fingerprint, "--digest-algo", "SHA256", "--detach-sign", "-o",
                    str(tmp_path / "m.sig"), str(tmp_path / "m")], check=True, capture_output=True)
    path = tmp_path / package_file_name("to-extranet", 1, manifest["uuid"])
    with tarfile.open(path, "w", format=tarfile.USTAR_FORMAT) as tf:
        for name, data in ((MANIFEST_NAME, mbytes), (SIGNATURE_NAME, (tmp_path / "m.sig").read_bytes()),
                           ("items/000000/message.json", body)):
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode, info.uid, info.gid, info.uname, info.gname = (
                len(data), 0, 0o644, 0, 0, "", "")
            tf.addfile(info, io.BytesIO(data))
    vp = check(path, keyhomes)
    assert vp.items[0].body["doc_number"] == "宝市财发〔2025〕1号"


def _regions(built):
    """(start, end, member name) of every member's data."""
    with tarfile.open(built.path) as tf:
        members = tf.getmembers()
    spans = [(m.offset_data, m.offset_data + m.size, m.name) for m in members]
    return spans


def test_flipping_any_byte_is_rejected(out, keyhomes, tmp_path):
    built = out.build([item("portal.policy.publish", policy_body(), attachments=[PDF])])
    data = built.path.read_bytes()
    spans = _regions(built)
    offsets = []
    covered = set()
    for start, end, name in spans:
        stride = 1 if name == SIGNATURE_NAME else (11 if name == MANIFEST_NAME else 127)
        offsets += list(range(start, end, stride)) + [end - 1]
        covered.update(range(start, end))
    offsets += [i for i in range(len(data)) if i not in covered]  # headers, padding, trailer: every byte
    target = tmp_path / "flipped.jxp"
    for offset in sorted(set(offsets)):
        flipped = bytearray(data)
        flipped[offset] ^= 0x5A
        target.write_bytes(flipped)
        with pytest.raises(PackageRejected):
            check(target, keyhomes)
    assert len(set(offsets)) > len(data) // 2


def test_signature_must_be_one_minimal_binary_packet(out, keyhomes, tmp_path):
    built = out.build()
    with tarfile.open(built.path) as tf:
        sig = tf.extractfile(SIGNATURE_NAME).read()
    armored = subprocess.run(["gpg", "--enarmor"], input=sig, capture_output=True, check=True).stdout
    for bad in (armored, sig + sig, sig + b"\x00"):
        with pytest.raises(PackageRejected) as exc:
            _replace_member(built.path, SIGNATURE_NAME, bad, tmp_path / "x.jxp", keyhomes)
        assert exc.value.code in ("signature", "container")


def _replace_member(path, name, data, target, keyhomes):
    with tarfile.open(path) as src, tarfile.open(target, "w", format=tarfile.USTAR_FORMAT) as dst:
        for m in src.getmembers():
            content = data if m.name == name else src.extractfile(m).read()
            info = tarfile.TarInfo(m.name)
            info.size, info.mtime, info.mode, info.uname, info.gname = len(content), 0, 0o644, "", ""
            dst.addfile(info, io.BytesIO(content))
    return check(target, keyhomes)


def test_encrypted_files_bind_ciphertext_and_plaintext(tmp_path, keyhomes):
    province = Sender(keyhomes["province"], "from-province", tmp_path / "ferry", tmp_path,
                      recipients=[keyhomes["intranet"].fingerprint])
    built = province.build()
    with tarfile.open(built.path) as tf:
        cipher = tf.extractfile("items/000000/file-01").read()
    assert PDF[:40] not in cipher
    entry = built.manifest["items"][0]["files"][1]
    assert entry["plain_sha256"] == hashlib.sha256(PDF).hexdigest() and entry["sha256"] != entry["plain_sha256"]
    work = tmp_path / "w"
    work.mkdir()
    vp = verify_package(built.path, gpg=keyhomes["intranet"].gpg,
                        pinned={"from-province": {keyhomes["province"].fingerprint}},
                        encrypted_channels={"from-province"}, workdir=work)
    assert vp.items[0].attachments[0].read_bytes() == PDF
    # Without the recipient's secret key nothing decrypts.
    with pytest.raises(PackageRejected) as exc:
        verify_package(built.path, gpg=keyhomes["extranet"].gpg,
                       pinned={"from-province": {keyhomes["province"].fingerprint}},
                       encrypted_channels={"from-province"}, workdir=work)
    assert exc.value.code in ("decrypt", "signature")


def test_a_passphrase_protected_key_signs_only_with_its_passphrase_file(tmp_path):
    from exchange.gpg import GnuPG, GPGError

    secret = tmp_path / "passphrase"
    secret.write_text("correct horse battery staple\n")
    protected = GnuPG(tmp_path / "g", passphrase_file=str(secret))
    try:
        fpr = protected.generate_key("Protected", "p@test.invalid")
        assert protected.verify_detached(protected.sign_detached(b"data", fpr), b"data").valid
        protected.kill_agent()  # forget the cached passphrase
        with pytest.raises(GPGError):
            GnuPG(tmp_path / "g").sign_detached(b"data", fpr)
    finally:
        protected.kill_agent()
