"""Open Contracting Data Standard (OCDS 1.1): a release at every publication, a compiled record.

The schemas are vendored in ``ocds_schema/`` (see its README for their origin); references to the
standard's URLs resolve to those files, so nothing is fetched. Amounts are JSON numbers as OCDS
requires: they are converted from Decimal only here, at the edge, for publication.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from django.conf import settings
from jsonschema import Draft4Validator
from ocdsmerge import Merger
from referencing import Registry
from referencing.jsonschema import DRAFT4

from intranet.procurement import clock
from intranet.procurement.models import OcdsRelease, Tender
from intranet.procurement.services.outbound import iso, publish_ocds

SCHEMA_DIR = Path(__file__).resolve().parent / "ocds_schema"
BASE = "https://standard.open-contracting.org/schema/"
METHODS = {
    "open": ("open", "公开招标"), "invited": ("selective", "邀请招标"),
    "competitive_negotiation": ("limited", "竞争性谈判"), "competitive_consultation": ("limited", "竞争性磋商"),
    "inquiry": ("selective", "询价"), "single_source": ("direct", "单一来源"),
}


def prefix() -> str:
    return getattr(settings, "JINCAI_OCDS_PREFIX", "ocds-jincai")


def ocid(tender: Tender) -> str:
    return f"{prefix()}-{tender.tender_id}"


def _load(name: str) -> dict:
    return json.loads((SCHEMA_DIR / name).read_text())


@cache
def release_schema() -> dict:
    return _load("release-schema.json")


@cache
def _registry() -> Registry:
    release = DRAFT4.create_resource(release_schema())
    versioned = DRAFT4.create_resource(_load("versioned-release-validation-schema.json"))
    pairs = [(f"{BASE}1__1__{n}/release-schema.json", release) for n in range(0, 6)]
    pairs += [(f"{BASE}1__1__{n}/versioned-release-validation-schema.json", versioned) for n in range(0, 6)]
    return Registry().with_resources(pairs)


def _validator(name: str) -> Draft4Validator:
    return Draft4Validator(_load(name), registry=_registry(), format_checker=Draft4Validator.FORMAT_CHECKER)


def errors(package: dict, kind: str) -> list[str]:
    """Schema errors of a release package (``kind="release"``) or record package (``"record"``)."""
    validator = _validator(f"{kind}-package-schema.json")
    return [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message[:300]}"
            for e in validator.iter_errors(package)]


def money(amount) -> dict:
    return {"amount": float(amount), "currency": "CNY"}


def _org(uscc: str, name: str, roles: list[str]) -> dict:
    return {"id": f"CN-SAMR-{uscc}", "name": name, "roles": roles,
            "identifier": {"scheme": "CN-SAMR", "id": uscc, "legalName": name}}


def _tender_section(tender: Tender) -> dict:
    now = clock.now()
    method, details = METHODS[tender.method]
    status = {"cancelled": "cancelled", "awarded": "complete"}.get(tender.status,
                                                                   "active" if now < tender.bid_deadline else "complete")
    section = {
        "id": tender.tender_id, "title": tender.title, "description": tender.description or tender.title,
        "status": status, "procuringEntity": {"id": "buyer", "name": tender.buyer},
        "value": money(tender.budget), "procurementMethod": method, "procurementMethodDetails": details,
        "awardCriteria": "ratedCriteria" if tender.criteria.exists() else "priceOnly",
        "submissionMethod": ["electronicSubmission"],
        "tenderPeriod": {"startDate": iso(tender.published_at), "endDate": iso(tender.bid_deadline)},
        "enquiryPeriod": {"startDate": iso(tender.published_at), "endDate": iso(tender.clarification_deadline)},
        "items": [{"id": f"lot-{lot.number}", "description": lot.title, "quantity": 1,
                   "unit": {"name": "项", "value": money(lot.budget)}} for lot in tender.lots.all()],
        "documents": [{"id": f"doc-{d.pk}", "documentType": "biddingDocuments" if d.amendment_id is None
                       else "clarifications", "title": d.title, "datePublished": iso(d.uploaded_at),
                       "format": d.media_type} for d in tender.documents.all()],
    }
    amendments = [{"id": f"amendment-{a.number}", "date": iso(a.published_at), "rationale": a.title,
                   "description": a.description} for a in tender.amendments.all()]
    if amendments:
        section["amendments"] = amendments
    opening = getattr(tender, "opening", None)
    if opening is not None:
        bidders = {(b.incoming.uscc, b.incoming.company_name) for b in opening.bids.select_related("incoming")}
        section["numberOfTenderers"] = len(bidders)
        section["tenderers"] = [{"id": f"CN-SAMR-{u}", "name": n} for u, n in sorted(bidders)]
    return section


def build_release(tender: Tender, tags: list[str]) -> dict:
    parties = {"buyer": {"id": "buyer", "name": tender.buyer, "roles": ["buyer", "procuringEntity"]}}
    opening = getattr(tender, "opening", None)
    if opening is not None:
        for b in opening.bids.select_related("incoming"):
            parties.setdefault(f"CN-SAMR-{b.incoming.uscc}", _org(b.incoming.uscc, b.incoming.company_name,
                                                                  ["tenderer"]))
    release = {"ocid": ocid(tender), "date": iso(clock.now()), "tag": tags, "initiationType": "tender",
               "language": "zh", "buyer": {"id": "buyer", "name": tender.buyer}, "tender": _tender_section(tender)}
    awards, contracts = [], []
    for award in tender.awards.select_related("bid__incoming", "lot"):
        inc = award.bid.incoming
        party = parties.setdefault(f"CN-SAMR-{inc.uscc}", _org(inc.uscc, inc.company_name, []))
        if "supplier" not in party["roles"]:
            party["roles"].append("supplier")
        awards.append({"id": f"award-{award.lot.number}", "title": award.lot.title, "status": "active",
                       "date": iso(award.decided_at), "value": money(award.amount),
                       "suppliers": [{"id": party["id"], "name": inc.company_name}],
                       "items": [{"id": f"lot-{award.lot.number}", "description": award.lot.title, "quantity": 1}]})
        contract = getattr(award, "contract", None)
        if contract is not None:
            entry = {"id": f"contract-{contract.number}", "awardID": f"award-{award.lot.number}",
                     "title": award.lot.title, "status": "active", "value": money(contract.amount),
                     "dateSigned": f"{contract.signed_on.isoformat()}T00:00:00+08:00"}
            if contract.period_end:
                entry["period"] = {"startDate": f"{contract.signed_on.isoformat()}T00:00:00+08:00",
                                   "endDate": f"{contract.period_end.isoformat()}T23:59:59+08:00"}
            contracts.append(entry)
    if awards:
        release["awards"] = awards
    if contracts:
        release["contracts"] = contracts
    release["parties"] = list(parties.values())
    return release


def record(tender: Tender) -> dict:
    releases = [r.release for r in tender.ocds_releases.all()]
    merger = Merger(schema=release_schema())
    return {"ocid": ocid(tender), "releases": releases, "compiledRelease": merger.create_compiled_release(releases)}


def release_package(tender: Tender) -> dict:
    releases = [r.release for r in tender.ocds_releases.all()]
    return {"uri": f"urn:jincai:ocds:{tender.tender_id}:releases", "version": "1.1",
            "publisher": {"name": "市财政局"}, "publishedDate": releases[-1]["date"] if releases else iso(clock.now()),
            "releases": releases}


def record_package(tender: Tender) -> dict:
    rec = record(tender)
    return {"uri": f"urn:jincai:ocds:{tender.tender_id}:record", "version": "1.1", "publisher": {"name": "市财政局"},
            "publishedDate": rec["compiledRelease"]["date"], "records": [rec]}


def publish(tender: Tender, tags: list[str]) -> OcdsRelease:
    """Make the next release, check it against the schema, keep it and send it with the new record."""
    release = build_release(tender, tags)
    release["id"] = f"{release['ocid']}-{tender.ocds_releases.count() + 1:03d}-{tags[0]}"
    problems = errors({"uri": "urn:check", "version": "1.1", "publisher": {"name": "x"},
                       "publishedDate": release["date"], "releases": [release]}, "release")
    if problems:
        raise ValueError(f"the OCDS release does not validate: {problems[:3]}")
    row = OcdsRelease.objects.create(tender=tender, release_id=release["id"], release=release)
    publish_ocds(tender.tender_id, release["ocid"], release, record(tender))
    return row
