"""Two replacements of the same bid submitted at the same moment (real PostgreSQL): each gets its own
version, and each receipt names the version it was actually recorded as."""

import base64
import threading
from decimal import Decimal

import pytest
from django.db import connection

from exchange import canonical
from extranet.procurement.models import Bid, BidVersion
from extranet.procurement.sealing import BidUploadHandler
from extranet.procurement.services import bids as bid_service
from tests.extranet.procurement.conftest import pdf_bytes

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("own_bid_store")]


def _sealed_upload(tender, marker: str) -> BidUploadHandler:
    handler = BidUploadHandler(None, key_file=bid_service.key_file(tender), deadline=tender.bid_deadline)
    handler.new_file("files", f"{marker}.pdf", "application/pdf", None)
    handler.receive_data_chunk(pdf_bytes(marker, 20_000), 0)
    handler.file_complete(20_000)
    return handler


def test_concurrent_replacements_get_distinct_versions_and_matching_receipts(supplier_client, make_tender):
    from exchange.services import keys

    tender, supplier = make_tender(), supplier_client.supplier
    first = _sealed_upload(tender, "v1")
    bid_service.submit(tender.pk, supplier, 1, Decimal("100.00"), first)
    first.discard()
    handlers = [_sealed_upload(tender, f"again-{n}") for n in range(2)]
    barrier, errors = threading.Barrier(2), []

    def replace(handler):
        try:
            barrier.wait()
            bid_service.submit(tender.pk, supplier, 1, Decimal("90.00"), handler)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            handler.discard()
            connection.close()

    threads = [threading.Thread(target=replace, args=(h,)) for h in handlers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    bid = Bid.objects.get(tender=tender)
    versions = {v.version: v for v in bid.versions.all()}
    assert sorted(versions) == [1, 2, 3] and bid.version == 3
    assert [v.version for v in versions.values() if v.status == BidVersion.CURRENT] == [3]
    for number, version in versions.items():
        assert version.receipt["bid_version"] == number and version.manifest["version"] == number
        signature = base64.b64decode(version.receipt_signature)
        assert keys.keyring().verify_detached(signature, canonical.dumps(version.receipt)).valid
