"""Many detached signatures through one connection to gpg-agent, instead of one gpg process each.

The secret key never leaves GnuPG: gpg-agent (GnuPG's own key holder, which every ``gpg --sign``
asks in the same way) signs each digest with ``PKSIGN``. This module only frames the OpenPGP v4
signature packet around the agent's answer, exactly as ``gpg --detach-sign`` frames it (hashed:
issuer fingerprint, creation time; unhashed: issuer key ID; see docs/exchange-format.md, section 5).

It is used only for an Ed25519 primary key without a passphrase file, and fails closed: each
signature is checked in-process against the key's certificate before it is returned, and any
problem raises :class:`AgentSignError`, on which callers sign with a gpg process instead.

No Django here.
"""

from __future__ import annotations

import hashlib
import logging
import re
import socket
import struct
import subprocess
import threading
import time

import pysequoia

from exchange import sigpacket
from exchange.gpg import GnuPG, _env

log = logging.getLogger(__name__)
EDDSA = 22
SHA256 = 8
_TIMEOUT = 30
_ESCAPED = re.compile(rb"%([0-9A-Fa-f]{2})")


class AgentSignError(Exception):
    pass


def _mpi(value: bytes) -> bytes:
    number = int.from_bytes(value, "big")
    if number == 0:
        raise AgentSignError("zero in the signature")
    return struct.pack(">H", number.bit_length()) + number.to_bytes((number.bit_length() + 7) // 8, "big")


def _sig_values(sexp: bytes) -> dict[bytes, bytes]:
    """The (name value) pairs of a canonical S-expression such as ``(7:sig-val(5:eddsa(1:r32:…)(1:s32:…)))``."""
    values, stack, i = {}, [], 0
    while i < len(sexp):
        c = sexp[i : i + 1]
        if c == b"(":
            stack.append([])
            i += 1
        elif c == b")":
            if not stack:
                raise AgentSignError("malformed answer from gpg-agent")
            node = stack.pop()
            i += 1
            if len(node) == 2 and all(isinstance(x, bytes) for x in node):
                values[node[0]] = node[1]
            if stack:
                stack[-1].append(node)
        else:
            colon = sexp.find(b":", i)
            if colon < 0 or not sexp[i:colon].isdigit() or not stack:
                raise AgentSignError("malformed answer from gpg-agent")
            end = colon + 1 + int(sexp[i:colon])
            stack[-1].append(sexp[colon + 1 : end])
            i = end
    return values


class AgentSigner:
    """Signs with one key over one Assuan connection to gpg-agent; safe to share between threads."""

    def __init__(self, gpg: GnuPG, fingerprint: str):
        if gpg.passphrase_file:
            raise AgentSignError("a protected key is signed by gpg itself")
        keys = [k for k in gpg.py.list_keys(secret=True) if k.get("fingerprint") == fingerprint]
        if len(keys) != 1 or keys[0].get("algo") != str(EDDSA) or not keys[0].get("keygrip"):
            raise AgentSignError("only an Ed25519 primary key is signed through the agent")
        self.fingerprint, self.keygrip = fingerprint, keys[0]["keygrip"]
        self.cert = gpg.certificate(fingerprint)
        if self.cert is None:
            raise AgentSignError(f"no certificate for {fingerprint}")
        self._lock = threading.Lock()
        self._sock = self._connect(gpg)
        self._reader = self._sock.makefile("rb")
        self._answer()  # the greeting
        self._command("OPTION pinentry-mode=cancel")  # never wait for a passphrase prompt

    @staticmethod
    def _connect(gpg: GnuPG) -> socket.socket:
        dirs = subprocess.run(["gpgconf", "--homedir", str(gpg.home), "--list-dirs", "agent-socket"],
                              capture_output=True, text=True, env=_env(), timeout=_TIMEOUT, check=False)
        path = dirs.stdout.strip()
        if dirs.returncode != 0 or not path:
            raise AgentSignError("gpg-agent's socket is unknown")
        for attempt in range(2):
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(_TIMEOUT)
            try:
                sock.connect(path)
                return sock
            except OSError:
                sock.close()
                if attempt:
                    raise AgentSignError("cannot reach gpg-agent") from None
                subprocess.run(["gpg-connect-agent", "--homedir", str(gpg.home), "/bye"], capture_output=True,
                               env=_env(), timeout=_TIMEOUT, check=False)  # starts the agent
        raise AgentSignError("cannot reach gpg-agent")

    def _answer(self) -> bytes:
        data = b""
        while True:
            line = self._reader.readline()
            if not line:
                raise AgentSignError("gpg-agent closed the connection")
            line = line.rstrip(b"\n")
            if line.startswith(b"OK"):
                return data
            if line.startswith(b"D "):
                data += _ESCAPED.sub(lambda m: bytes([int(m[1], 16)]), line[2:])
            elif line.startswith((b"ERR", b"INQUIRE")):
                raise AgentSignError(f"gpg-agent: {line[:200].decode(errors='replace')}")

    def _command(self, line: str) -> bytes:
        self._sock.sendall(line.encode("ascii") + b"\n")
        return self._answer()

    def sign(self, data: bytes) -> bytes:
        fpr = bytes.fromhex(self.fingerprint)
        hashed = bytes([22, 33, 4]) + fpr + bytes([5, 2]) + struct.pack(">I", int(time.time()))
        body = bytes([4, 0x00, EDDSA, SHA256]) + struct.pack(">H", len(hashed)) + hashed
        digest = hashlib.sha256(data + body + b"\x04\xff" + struct.pack(">I", len(body))).digest()
        with self._lock:
            # The three commands in one write (the agent reads them in order): one round trip, not
            # three. An error answer leaves the rest unread; the caller then drops this connection.
            self._sock.sendall(f"SIGKEY {self.keygrip}\nSETHASH --hash=sha256 {digest.hex()}\nPKSIGN\n".encode("ascii"))
            self._answer()
            self._answer()
            values = _sig_values(self._answer())
        if b"r" not in values or b"s" not in values:
            raise AgentSignError("gpg-agent did not answer with an EdDSA signature")
        unhashed = bytes([9, 16]) + fpr[-8:]
        packet = body + struct.pack(">H", len(unhashed)) + unhashed + digest[:2] + _mpi(values[b"r"]) + _mpi(values[b"s"])
        signature = bytes([0x88, len(packet)]) if len(packet) < 256 else bytes([0x89]) + struct.pack(">H", len(packet))
        signature += packet
        try:  # fail closed: never hand out a signature that does not verify
            sigpacket.check_structure(signature)
            result = pysequoia.verify(bytes=data, store=lambda _ids: [self.cert],
                                      signature=pysequoia.Sig.from_bytes(signature))
            good = [s for s in result.valid_sigs if s.certificate.upper() == self.fingerprint]
        except Exception as exc:
            raise AgentSignError(f"the agent's signature does not verify: {str(exc)[:200]}") from None
        if len(good) != 1:
            raise AgentSignError("the agent's signature does not verify")
        return signature

    def close(self) -> None:
        try:
            self._sock.sendall(b"BYE\n")
        except OSError:
            pass
        finally:
            self._reader.close()
            self._sock.close()


class BatchSigner:
    """Signs the manifests of an export: through gpg-agent where :class:`AgentSigner` can, else (or
    after any problem with the agent) with one gpg process per signature, as before."""

    def __init__(self, gpg: GnuPG):
        self.gpg = gpg
        self._agents: dict[str, AgentSigner | None] = {}
        self._lock = threading.Lock()

    def _agent(self, fingerprint: str) -> AgentSigner | None:
        with self._lock:
            if fingerprint not in self._agents:
                try:
                    self._agents[fingerprint] = AgentSigner(self.gpg, fingerprint)
                except (AgentSignError, OSError, subprocess.SubprocessError) as exc:
                    log.info("signing with gpg processes: %s", exc)
                    self._agents[fingerprint] = None
            return self._agents[fingerprint]

    def sign(self, data: bytes, fingerprint: str) -> bytes:
        agent = self._agent(fingerprint)
        if agent is not None:
            try:
                return agent.sign(data)
            except (AgentSignError, OSError) as exc:
                log.warning("gpg-agent signing failed, signing with gpg processes: %s", exc)
                with self._lock:
                    if self._agents.get(fingerprint) is agent:
                        self._agents[fingerprint] = None
                agent.close()
        return self.gpg.sign_detached(data, fingerprint)

    def close(self) -> None:
        with self._lock:
            agents, self._agents = [a for a in self._agents.values() if a is not None], {}
        for agent in agents:
            agent.close()
