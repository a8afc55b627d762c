"""After a full bidding round, neither the extranet's data dir nor its database holds any bid
file content or declared price in plaintext (scanned for known plaintext)."""

import os
from pathlib import Path

import pytest
from django.apps import apps
from django.db import connection

from exchange.services import outbox
from extranet.procurement.models import Bid
from extranet.procurement.services import bids as bid_service
from tests.extranet.procurement.conftest import bid_post, pdf_bytes

pytestmark = pytest.mark.django_db


def _database_text() -> str:
    chunks = []
    for model in apps.get_models():
        for row in model.objects.all().values():
            chunks.append(repr(row))
    if connection.vendor == "sqlite":
        chunks.extend(connection.connection.iterdump())
    return "\n".join(chunks)


def _files_containing(root: Path, needles: list[bytes]) -> list[str]:
    hits = []
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink():
            data = path.read_bytes()
            hits += [f"{path}: {n!r}" for n in needles if n in data]
    return hits


def test_a_full_bidding_round_leaves_no_plaintext(client, make_supplier, make_tender, otp_login, portal_key,
                                                  settings, django_capture_on_commit_callbacks):
    settings.JINCAI_PROCUREMENT_PART_BYTES = 64 * 1024
    run = os.urandom(6).hex()
    markers = {name: f"secret-{name}-{run}" for name in ("tech-a", "price-a", "tech-a2", "tech-b", "tech-c")}
    prices = ["8765432.19", "8765001.07", "7123456.55", "6543210.33"]
    tender = make_tender()
    bidders = []
    for n, uscc in enumerate(["91350100M000100Y43", "911101080828461726", "91610301MA6X000014"]):
        supplier, password, device = make_supplier(f"bidder{n}", uscc=uscc)
        c = client.__class__()
        otp_login(c, supplier.user.username, password, device, "/supplier/")
        bidders.append(c)
    a, b, c = bidders
    with django_capture_on_commit_callbacks(execute=True):
        assert bid_post(a, tender, [("技术.pdf", pdf_bytes(markers["tech-a"], 150_000)),
                                    ("商务.pdf", pdf_bytes(markers["price-a"], 20_000))],
                        price=prices[0]).status_code == 302
        assert bid_post(a, tender, [("技术v2.pdf", pdf_bytes(markers["tech-a2"], 90_000))],
                        price=prices[1]).status_code == 302
        assert bid_post(b, tender, [("b.pdf", pdf_bytes(markers["tech-b"], 30_000))], price=prices[2]).status_code == 302
        withdrawn = Bid.objects.get(tender=tender, supplier__user__username="bidder1")
        b.post(f"/supplier/bids/{withdrawn.bid_id}/withdraw/", {"confirm": "yes"})
        assert bid_post(c, tender, [("c.pdf", pdf_bytes(markers["tech-c"], 10_000))], price=prices[3],
                        lot=2).status_code == 302
        a.post(f"/supplier/tenders/{tender.tender_id}/ask/", {"text": "问题：交付期限可以延长吗？"})
        for bidder in bidders:
            for bid in Bid.objects.filter(tender=tender):
                bidder.get(f"/supplier/bids/{bid.bid_id}/")
    settings.JINCAI_PROCUREMENT_NOW = tender.bid_deadline
    bid_service.close_due_tenders()
    packages = outbox.export_channel("to-intranet")
    assert packages, "the round must have produced packages for the intranet"

    needles = [m.encode() for m in markers.values()] + [p.encode() for p in prices]
    roots = [Path(settings.JINCAI_SIDE_DIR), Path(settings.JINCAI_DATA_DIR) / "ferry" / "to-intranet"]
    hits = [h for root in roots if root.exists() for h in _files_containing(root, needles)]
    assert hits == []
    text = _database_text()
    assert [n for n in markers.values() if n in text] == []
    assert [p for p in prices if p in text] == []
    # The round really happened: ciphertext is there and travels.
    assert len(list((Path(settings.JINCAI_SIDE_DIR) / "procurement" / "bids" / tender.tender_id).rglob("*.pgp"))) >= 3
