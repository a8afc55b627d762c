"""The archive (归档): catalogue by year and category, and a year's archive as a signed package.

The export uses the exchange's package format and this side's exchange signing key, so the
same tooling (and the same verification code) proves that an exported year is complete and
unchanged: a manifest with every file's SHA-256, signed with OpenPGP.
"""

from __future__ import annotations

import tempfile
import uuid as uuid_lib
from datetime import timedelta
from pathlib import Path

from django.db.models import Count
from django.utils import timezone

from common.audit.services import record
from exchange import canonical, mediatypes
from exchange.manifest import ZERO_HASH
from exchange.package import OutFile, OutItem, VerifiedPackage, build_package, verify_package
from exchange.services.keys import keyring, own_fingerprint
from intranet.oa.models import Document

ARCHIVE_CHANNEL = "oa-archive"  # not a ferry channel: names the kind of package in its manifest
ARCHIVE_TYPE = "oa.archive_record"
KEEP_FOR = timedelta(days=365 * 100)


def catalogue(year: int | None = None, category: str | None = None):
    qs = Document.objects.filter(state="archived").order_by("archive_year", "archive_category", "archive_code")
    if year:
        qs = qs.filter(archive_year=year)
    if category:
        qs = qs.filter(archive_category=category)
    return qs


def years() -> list[dict]:
    return list(Document.objects.filter(state="archived").values("archive_year", "archive_category")
                .annotate(n=Count("pk")).order_by("-archive_year", "archive_category"))


def record_metadata(doc: Document) -> dict:
    return {
        "archive_code": doc.archive_code, "archive_year": doc.archive_year, "category": doc.archive_category,
        "retention": doc.retention, "kind": doc.kind, "doc_type": doc.doc_type, "doc_number": doc.doc_number,
        "title": doc.title, "source_agency": doc.source_agency, "source_number": doc.source_number,
        "signer": doc.signer_name, "written_date": doc.written_date.isoformat() if doc.written_date else None,
        "printed_date": doc.printed_date.isoformat() if doc.printed_date else None,
        "secrecy": doc.secrecy, "disclosure": doc.disclosure, "pdf_sha256": doc.pdf_sha256,
        "history": [{"action": e.transition, "from": e.from_state, "to": e.to_state,
                     "by": e.actor.get_username() if e.actor else "system", "at": e.at.isoformat(),
                     "comment": e.comment} for e in doc.events.select_related("actor")],
        "files": [{"name": a.name, "sha256": a.sha256, "media_type": a.media_type} for a in doc.files.all()],
    }


def _items(docs) -> list[OutItem]:
    items = []
    for i, doc in enumerate(docs):
        base = f"items/{i:06d}"
        files = [OutFile(f"{base}/message.json", "message", mediatypes.JSON, data=canonical.dumps(record_metadata(doc)))]
        n = 0
        if doc.pdf:
            n += 1
            files.append(OutFile(f"{base}/file-{n:02d}", "attachment", "application/pdf", src=Path(doc.pdf.path),
                                 name=f"{doc.archive_code}.pdf"))
        for a in doc.files.all():
            n += 1
            files.append(OutFile(f"{base}/file-{n:02d}", "attachment", a.media_type, src=Path(a.file.path),
                                 name=a.name))
        items.append(OutItem(ARCHIVE_TYPE, 1, "restricted" if doc.secrecy else "internal", files, doc.archive_code))
    return items


def export_year(year: int, dest_dir: Path, user=None) -> Path:
    """Write the signed archive package of ``year`` into ``dest_dir``; returns its path."""
    docs = list(catalogue(year).select_related("department").prefetch_related("files"))
    if not docs:
        raise ValueError(f"nothing archived for {year}")
    fpr = own_fingerprint()
    if not fpr:
        raise ValueError("this side has no signing key: run `exchange keygen`")
    now = timezone.now().replace(microsecond=0)
    with tempfile.TemporaryDirectory() as work:
        built = build_package(Path(dest_dir), channel=ARCHIVE_CHANNEL, sender_fpr=fpr, sender_name="city-intranet",
                              seq=year, uuid=str(uuid_lib.uuid4()), prev=ZERO_HASH, created=now,
                              expires=now + KEEP_FOR, items=_items(docs), gpg=keyring(), workdir=Path(work))
    record("oa.archive_export", detail={"year": year, "documents": len(docs), "file": built.file_name,
                                        "manifest_sha256": built.manifest_sha256, "signer": fpr}, actor=user)
    return built.path


def verify_export(path: Path, fingerprint: str | None = None) -> VerifiedPackage:
    """Check an exported archive package (signature, every file's hash); raises PackageRejected."""
    fpr = fingerprint or own_fingerprint()
    with tempfile.TemporaryDirectory() as work:
        return verify_package(Path(path), gpg=keyring(), pinned={ARCHIVE_CHANNEL: {fpr}}, channel=ARCHIVE_CHANNEL,
                              check_freshness=False, workdir=Path(work))
