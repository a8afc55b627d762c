"""Guarantee 2, bounded input: size caps before reading; no path traversal, links, special files,
extended headers or archive bombs. All rejected at the header stage, cheaply."""

from __future__ import annotations

import io
import os
import tarfile
import time
import zlib
from pathlib import Path

import pytest

from exchange.errors import PackageRejected
from exchange.package import Limits, verify_package
from tests.exchange.conftest import PDF, Sender, item, policy_body


@pytest.fixture
def good(tmp_path, keyhomes):
    sender = Sender(keyhomes["intranet"], "to-extranet", tmp_path / "ferry", tmp_path)
    return sender.build([item("portal.policy.publish", policy_body(), attachments=[PDF])])


def check(path, keyhomes, limits=None):
    return verify_package(Path(path), gpg=keyhomes["extranet"].gpg,
                          pinned={"to-extranet": {keyhomes["intranet"].fingerprint}}, limits=limits or Limits())


def retar(good, target: Path, extra=(), fmt=tarfile.USTAR_FORMAT) -> Path:
    """The good package's members, then ``extra`` (TarInfo, bytes) members, written by tarfile."""
    with tarfile.open(good.path) as src, tarfile.open(target, "w", format=fmt) as dst:
        for m in src.getmembers():
            data = src.extractfile(m).read()
            info = tarfile.TarInfo(m.name)
            info.size, info.mtime, info.mode, info.uname, info.gname = len(data), 0, 0o644, "", ""
            dst.addfile(info, io.BytesIO(data))
        for info, data in extra:
            dst.addfile(info, io.BytesIO(data) if data is not None else None)
    return target


def member(name, kind=tarfile.REGTYPE, data=b"x", linkname=""):
    info = tarfile.TarInfo(name)
    info.type, info.linkname, info.mtime, info.mode, info.uname, info.gname = kind, linkname, 0, 0o644, "", ""
    info.size = len(data) if kind == tarfile.REGTYPE else 0
    return info, (data if kind == tarfile.REGTYPE else None)


@pytest.mark.parametrize("extra, code", [
    (member("../../etc/cron.d/evil"), "member"),
    (member("/etc/passwd"), "member"),
    (member("items/000000/../../x"), "member"),
    (member("items/000000/message.json"), "member"),  # duplicate name
    (member("items/link", tarfile.SYMTYPE, linkname="/etc/shadow"), "member"),
    (member("items/hard", tarfile.LNKTYPE, linkname="manifest.json"), "member"),
    (member("items/dev", tarfile.CHRTYPE), "member"),
    (member("items/fifo", tarfile.FIFOTYPE), "member"),
    (member("items/dir", tarfile.DIRTYPE), "member"),
])
def test_hostile_members_are_refused_before_the_signature_is_read(good, tmp_path, keyhomes, extra, code):
    path = retar(good, tmp_path / "bad.jxp", [extra])
    with pytest.raises(PackageRejected) as exc:
        check(path, keyhomes)
    assert exc.value.code == code, exc.value


@pytest.mark.parametrize("fmt, name", [(tarfile.PAX_FORMAT, "items/中文名"), (tarfile.GNU_FORMAT, "items/" + "a" * 120)])
def test_extended_headers_are_refused(good, tmp_path, keyhomes, fmt, name):
    path = retar(good, tmp_path / "bad.jxp", [member(name)], fmt=fmt)
    with pytest.raises(PackageRejected) as exc:
        check(path, keyhomes)
    assert exc.value.code in ("member", "container")


def test_oversized_package_is_refused_without_reading_it(tmp_path, keyhomes):
    path = tmp_path / "huge.jxp"
    with open(path, "wb") as fh:
        fh.truncate(Limits().max_package_bytes + 1)  # sparse: nothing is written
    started = time.monotonic()
    with pytest.raises(PackageRejected) as exc:
        check(path, keyhomes)
    assert exc.value.code == "size" and time.monotonic() - started < 0.5


def test_member_caps_apply_before_reading(good, tmp_path, keyhomes):
    with pytest.raises(PackageRejected) as exc:
        check(good.path, keyhomes, Limits(max_file_bytes=len(PDF) - 1))
    assert exc.value.code == "limits"
    with pytest.raises(PackageRejected) as exc:
        check(good.path, keyhomes, Limits(max_manifest_bytes=100))
    assert exc.value.code == "limits"


def test_a_header_claiming_more_than_the_file_holds_is_refused(good, tmp_path, keyhomes):
    data = bytearray(good.path.read_bytes())
    block = bytearray(data[1536:2048])  # the signature member's header
    assert block[:17] == b"manifest.json.sig"
    block[124:136] = b"%011o\x00" % (8 * 1024**3 - 1)
    block[148:156] = b" " * 8
    block[148:156] = b"%06o\x00 " % sum(block)
    data[1536:2048] = block
    path = tmp_path / "claims.jxp"
    path.write_bytes(data)
    with pytest.raises(PackageRejected) as exc:
        check(path, keyhomes)
    assert exc.value.code in ("container", "limits")


def test_too_many_members_is_refused_at_the_cap(good, tmp_path, keyhomes):
    extra = [member(f"items/f{n}") for n in range(60)]
    path = retar(good, tmp_path / "many.jxp", extra)
    with pytest.raises(PackageRejected) as exc:
        check(path, keyhomes, Limits(max_members=50))
    assert exc.value.code == "limits"


def test_archive_bomb_is_rejected_cheaply(tmp_path, keyhomes):
    """A gzip-compressed tar that would expand to 256 MiB: never decompressed."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    path = tmp_path / "bomb.jxp"
    with open(path, "wb") as fh:
        header = tarfile.TarInfo("manifest.json")
        header.size = 256 * 1024 * 1024
        fh.write(compressor.compress(header.tobuf(format=tarfile.USTAR_FORMAT)))
        chunk = b"\x00" * (1 << 20)
        for _ in range(256):
            fh.write(compressor.compress(chunk))
        fh.write(compressor.flush())
    assert path.stat().st_size < 1024 * 1024
    started = time.monotonic()
    with pytest.raises(PackageRejected) as exc:
        check(path, keyhomes)
    assert exc.value.code == "container"
    assert time.monotonic() - started < 0.5


def test_nested_archives_are_not_an_allowed_payload(tmp_path, keyhomes):
    sender = Sender(keyhomes["intranet"], "to-extranet", tmp_path / "ferry", tmp_path)
    zipped = b"PK\x03\x04" + b"\x00" * 200
    built = sender.build([item("portal.policy.publish", policy_body(), attachments=[(zipped, "application/zip")])])
    with pytest.raises(PackageRejected) as exc:
        check(built.path, keyhomes)
    assert exc.value.code == "media_type"


def test_truncated_and_padded_files_are_refused(good, tmp_path, keyhomes):
    data = good.path.read_bytes()
    for name, content in (("cut.jxp", data[: len(data) // 2]), ("longer.jxp", data + b"\x00" * 10240),
                          ("garbage.jxp", data[:-1] + b"\x01")):
        (tmp_path / name).write_bytes(content)
        with pytest.raises(PackageRejected):
            check(tmp_path / name, keyhomes)


def test_special_files_in_the_ferry_are_quarantined_without_blocking(xenv):
    xenv.trust("extranet", "to-intranet")
    ferry = xenv.ferry("to-intranet")
    name = "to-intranet-0000000001-00000000-0000-4000-8000-000000000001.jxp"
    os.mkfifo(ferry / name)  # opening a FIFO for reading would block a naive reader forever
    (ferry / name.replace("0001.jxp", "0002.jxp").replace("0000000001", "0000000002")).symlink_to("/etc/passwd")
    report = xenv.import_all()
    assert sorted(code for _, _, code, _ in report.rejected) == ["not_regular", "not_regular"]
    assert xenv.status("to-intranet")["quarantined"] == 2
    assert xenv.import_all().rejected == []  # reported once, not on every run
