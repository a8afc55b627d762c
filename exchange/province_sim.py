"""A simulated provincial finance bureau: the other end of ``to-province`` / ``from-province``.

A separate program with its own data directory and GnuPG key. It uses the exchange's package
format library (no Django, no database): it reads city packages from the ``to-province`` ferry,
verifies and decrypts them, and writes signed packages encrypted to the city's key into the
``from-province`` ferry. Used by the tests and the demo::

    python -m exchange.province_sim --data-dir DIR [--ferry-root DIR] init
    python -m exchange.province_sim --data-dir DIR trust CITY_PUBLIC_KEY.asc
    python -m exchange.province_sim --data-dir DIR send [--title T] [--doc-number N] FILE...
    python -m exchange.province_sim --data-dir DIR receive
    python -m exchange.province_sim --data-dir DIR rotate
    python -m exchange.province_sim --data-dir DIR status
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import uuid as uuid_lib
from datetime import UTC, datetime, timedelta
from pathlib import Path

from jsonschema import Draft202012Validator

from exchange import canonical, ferry, mediatypes
from exchange.errors import PackageRejected
from exchange.gpg import GnuPG, GPGError
from exchange.manifest import ZERO_HASH
from exchange.package import OutFile, OutItem, build_package, verify_package

SEND, RECEIVE = "from-province", "to-province"
NAME = "provincial-finance-bureau"


def _document_schema() -> dict:
    from exchange.messages.oa import OFFICIAL_DOCUMENT_V1

    return OFFICIAL_DOCUMENT_V1


def _rotation_schema() -> dict:
    from exchange.messages.exchange_control import KEY_ROTATION_V1

    return KEY_ROTATION_V1


class Province:
    def __init__(self, data_dir: Path, ferry_root: Path | None = None):
        self.dir = Path(data_dir)
        self.ferry_root = Path(ferry_root) if ferry_root else self.dir.parent / "ferry"
        self.gpg = GnuPG(self.dir / "gnupg")

    @property
    def public_key_path(self) -> Path:
        return self.dir / "public.asc"

    @property
    def state_path(self) -> Path:
        return self.dir / "state.json"

    def load(self) -> dict:
        if self.state_path.exists():
            return json.loads(self.state_path.read_text())
        return {"fingerprint": "", "city_fingerprint": "", "last_sent_seq": 0, "last_sent_hash": ZERO_HASH,
                "last_received_seq": 0, "last_received_hash": ZERO_HASH, "received": []}

    def save(self, state: dict) -> None:
        tmp = self.state_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(state, indent=2, ensure_ascii=False))
        tmp.replace(self.state_path)

    def init(self) -> str:
        self.dir.mkdir(parents=True, exist_ok=True)
        state = self.load()
        if not state["fingerprint"]:
            state["fingerprint"] = self.gpg.generate_key("Provincial finance bureau (simulated)",
                                                         "exchange@province.invalid")
            self.save(state)
        self.public_key_path.write_text(self.gpg.export_public(state["fingerprint"]))
        return state["fingerprint"]

    def trust(self, key_file: Path) -> str:
        state = self.load()
        state["city_fingerprint"] = self.gpg.import_public(Path(key_file).read_bytes())
        self.save(state)
        return state["city_fingerprint"]

    def send(self, files: list[Path], title: str, doc_number: str = "", issued_on: str | None = None) -> Path:
        state = self.load()
        if not state["city_fingerprint"]:
            raise SystemExit("trust the city's key first")
        body = {"document_id": f"prov:{uuid_lib.uuid4().hex[:16]}", "title": title, "doc_number": doc_number,
                "issuer": "省财政厅", "issued_on": issued_on or datetime.now(UTC).date().isoformat(),
                "urgency": "normal", "body_text": title}
        Draft202012Validator(_document_schema()).validate(body)
        out_files = [OutFile("items/000000/message.json", "message", mediatypes.JSON, data=canonical.dumps(body))]
        for n, path in enumerate(files, start=1):
            data = Path(path).read_bytes()
            media_type = mediatypes.detect(data[:8192])
            if media_type is None:
                raise SystemExit(f"{path}: this type of file may not be sent")
            out_files.append(OutFile(f"items/000000/file-{n:02d}", "attachment", media_type, data=data,
                                     name=Path(path).name))
        return self._send(state, [OutItem("oa.official_document", 1, "internal", out_files)])

    def rotate(self) -> str:
        """Make a new key and announce it to the city in a package signed by the current key (the
        announcement is the package's last item); later packages are signed by the new key."""
        state = self.load()
        if not state["city_fingerprint"]:
            raise SystemExit("trust the city's key first")
        old = state["fingerprint"]
        new = self.gpg.generate_key("Provincial finance bureau (simulated)", "exchange@province.invalid")
        body = {"old_fingerprint": old, "new_fingerprint": new, "public_key": self.gpg.export_public(new)}
        Draft202012Validator(_rotation_schema()).validate(body)
        message = OutFile("items/000000/message.json", "message", mediatypes.JSON, data=canonical.dumps(body))
        self._send(state, [OutItem("exchange.key_rotation", 1, "public", [message])])
        state = self.load()
        state["retired_fingerprints"] = [*state.get("retired_fingerprints", []), old]
        state["fingerprint"] = new
        self.save(state)
        self.public_key_path.write_text(body["public_key"])
        return new

    def _send(self, state: dict, items: list[OutItem]) -> Path:
        seq, now = state["last_sent_seq"] + 1, datetime.now(UTC).replace(microsecond=0)
        with tempfile.TemporaryDirectory() as work:
            built = build_package(self.dir / "outbox", channel=SEND, sender_fpr=state["fingerprint"],
                                  sender_name=NAME, seq=seq, uuid=str(uuid_lib.uuid4()), prev=state["last_sent_hash"],
                                  created=now, expires=now + timedelta(days=14), items=items, gpg=self.gpg,
                                  recipients=[state["city_fingerprint"]], workdir=Path(work))
        ferry.write_atomic(self.ferry_root / SEND, built.file_name, built.path)
        state["last_sent_seq"], state["last_sent_hash"] = seq, built.manifest_sha256
        self.save(state)
        return self.ferry_root / SEND / built.file_name

    def _follow_rotation(self, state: dict, vp) -> None:
        """The city announced its next key: accept it only from the key it replaces, as the last
        item; from the next number on only the new key may sign (the old one is never pinned again)."""
        rotations = [i for i in vp.items if i.type == "exchange.key_rotation"]
        if not rotations:
            return
        body = rotations[-1].body
        if rotations[-1] is not vp.items[-1] or len(rotations) > 1:
            raise PackageRejected("key_rotation", "a key rotation must be the last item of its package")
        try:
            Draft202012Validator(_rotation_schema()).validate(body)
        except Exception as exc:  # noqa: BLE001  (any schema problem refuses the package)
            raise PackageRejected("schema", str(exc)[:200]) from None
        if body["old_fingerprint"] != vp.signer or vp.signer != state["city_fingerprint"]:
            raise PackageRejected("key_rotation", "the rotation must be signed by the key it replaces")
        if body["new_fingerprint"] == body["old_fingerprint"]:
            raise PackageRejected("key_rotation", "the new key is the old key")
        try:
            self.gpg.import_public(body["public_key"], expected=body["new_fingerprint"])
        except GPGError as exc:
            raise PackageRejected("key_rotation", str(exc)) from None
        state["retired_city_fingerprints"] = [*state.get("retired_city_fingerprints", []), vp.signer]
        state["city_fingerprint"] = body["new_fingerprint"]

    def receive(self) -> dict:
        """Take every new package from the city in order; stop at a gap (the ferry is read-only)."""
        state = self.load()
        out = {"received": [], "rejected": [], "waiting": []}
        for entry in ferry.scan(self.ferry_root / RECEIVE):
            if entry.seq <= state["last_received_seq"]:
                continue
            if entry.seq != state["last_received_seq"] + 1:
                out["waiting"].append(entry.name)
                continue
            copy = self.dir / "inbox" / entry.name
            work = Path(tempfile.mkdtemp())
            try:
                ferry.copy_in(entry, copy, 256 * 1024 * 1024)
                vp = verify_package(copy, gpg=self.gpg, pinned={RECEIVE: {state["city_fingerprint"]}},
                                    channel=RECEIVE, encrypted_channels={RECEIVE}, expected_name=entry.name,
                                    workdir=work)
                if vp.prev != state["last_received_hash"]:
                    raise PackageRejected("chain", "does not follow the previous package")
                self._follow_rotation(state, vp)
                target = self.dir / "received" / f"{vp.seq:06d}"
                target.mkdir(parents=True, exist_ok=True)
                for item in vp.items:
                    (target / f"{item.index}-message.json").write_text(json.dumps(item.body, ensure_ascii=False))
                    for n, a in enumerate(item.attachments, start=1):
                        (target / f"{item.index}-{n:02d}-{Path(a.name or 'file').name}").write_bytes(a.read_bytes())
                state["last_received_seq"], state["last_received_hash"] = vp.seq, vp.manifest_sha256
                state["received"].append({"seq": vp.seq, "uuid": vp.uuid,
                                          "types": [i.type for i in vp.items]})
                self.save(state)
                out["received"].append(vp.seq)
            except PackageRejected as exc:
                quarantine = self.dir / "quarantine"
                quarantine.mkdir(parents=True, exist_ok=True)
                if copy.exists():
                    copy.replace(quarantine / entry.name)
                out["rejected"].append({"file": entry.name, "code": exc.code, "reason": exc.message})
                break
            finally:
                shutil.rmtree(work, ignore_errors=True)
                copy.unlink(missing_ok=True)
        return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m exchange.province_sim", description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", required=True, type=Path)
    parser.add_argument("--ferry-root", type=Path, default=None, help="default: DATA_DIR/../ferry")
    sub = parser.add_subparsers(dest="action", required=True)
    p = sub.add_parser("init")
    p.add_argument("--trust", type=Path, help="the city's public key")
    p = sub.add_parser("trust")
    p.add_argument("keyfile", type=Path)
    p = sub.add_parser("send")
    p.add_argument("files", nargs="*", type=Path)
    p.add_argument("--title", default="关于做好财政信息化工作的通知")
    p.add_argument("--doc-number", default="")
    sub.add_parser("receive")
    sub.add_parser("rotate", help="make a new key and announce it to the city, signed by the current key")
    sub.add_parser("status")
    args = parser.parse_args(argv)
    province = Province(args.data_dir, args.ferry_root)
    if args.action == "init":
        print(json.dumps({"fingerprint": province.init(), "public_key": str(province.public_key_path)}))
        if args.trust:
            print(json.dumps({"city_fingerprint": province.trust(args.trust)}))
    elif args.action == "trust":
        print(json.dumps({"city_fingerprint": province.trust(args.keyfile)}))
    elif args.action == "send":
        print(json.dumps({"written": str(province.send(args.files, args.title, args.doc_number))}, ensure_ascii=False))
    elif args.action == "rotate":
        print(json.dumps({"fingerprint": province.rotate(), "public_key": str(province.public_key_path)}))
    elif args.action == "receive":
        result = province.receive()
        print(json.dumps(result, ensure_ascii=False))
        return 1 if result["rejected"] else 0
    else:
        print(json.dumps(province.load(), ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
