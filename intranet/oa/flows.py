"""The two document flows: outgoing (发文) and incoming (收文)."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.accounts.models import Department
from intranet.oa import numbering
from intranet.oa.elements import ArchiveCategory, Retention, element_problems
from intranet.oa.models import Circulation, Countersign, Distribution, Document, Task
from intranet.oa.services import reading
from intranet.oa.workflow import MACHINES, Machine, Transition

OUT, IN = Document.OUTGOING, Document.INCOMING


def office_code() -> str:
    return getattr(settings, "JINCAI_OA_OFFICE", "BGS")


def incoming_code() -> str:
    return getattr(settings, "JINCAI_OA_INCOMING_CODE", "宝市财收")


# ----------------------------------------------------------------------------- scopes
def own_department(doc, person) -> bool:
    return bool(person.department_id) and person.department_id == doc.department_id


def drafter(doc, person) -> bool:
    return person.pk == doc.created_by_id or own_department(doc, person)


def office(doc, person) -> bool:
    return person.department is not None and person.department.code == office_code()


def countersigner(doc, person) -> bool:
    return doc.countersigns.filter(department_id=person.department_id, state=Countersign.PENDING).exists()


def lead_department(doc, person) -> bool:
    return bool(person.department_id) and person.department_id == doc.lead_department_id


def lead_or_office(doc, person) -> bool:
    return lead_department(doc, person) or office(doc, person)


def holder(doc, person) -> bool:
    return doc.holder_id == person.pk


# ----------------------------------------------------------------------------- guards
def complete_elements(doc, person, data):
    problems = element_problems(doc)
    return " ".join(problems) if problems else None


def complete_for_issue(doc, person, data):
    problems = element_problems(doc, for_signing=True)
    return " ".join(problems) if problems else None


def known_departments(doc, person, data):
    ids = [int(x) for x in data.get("countersign_departments") or []]
    if len(set(ids)) != Department.objects.filter(pk__in=ids).count():
        return _("Choose countersigning departments from the list.")
    if doc.department_id in ids:
        return _("The drafting department does not countersign its own document.")
    return None


def lead_and_deadline(doc, person, data):
    problems = []
    if not data.get("lead_department") or not Department.objects.filter(pk=data["lead_department"]).exists():
        problems.append(_("Choose the lead department (承办科室)."))
    deadline = data.get("deadline")
    if not isinstance(deadline, date):
        problems.append(_("Set the deadline (办理时限)."))
    elif deadline < timezone.localdate():
        problems.append(_("The deadline can not be in the past."))
    return " ".join(problems) or None


def readers_given(doc, person, data):
    return None if data.get("readers") else _("Choose at least one reader for the circulation.")


def archive_choice(doc, person, data):
    if data.get("retention") not in Retention.values:
        return _("Choose the retention period (保管期限).")
    if data.get("category") not in ArchiveCategory.values:
        return _("Choose the archive category.")
    return None


# ----------------------------------------------------------------------------- effects
def set_countersigns(doc, actor, person, data):
    doc.countersigns.all().delete()
    ids = [int(x) for x in data.get("countersign_departments") or []]
    Countersign.objects.bulk_create(Countersign(document=doc, department_id=i) for i in ids)
    return {"countersign_departments": sorted(ids)}


def countersign(agree: bool):
    def effect(doc, actor, person, data):
        cs = doc.countersigns.get(department_id=person.department_id, state=Countersign.PENDING)
        cs.state = Countersign.AGREED if agree else Countersign.REJECTED
        cs.user, cs.opinion, cs.at = actor, data.get("comment", ""), timezone.now()
        cs.save()
        Task.objects.filter(document=doc, step="countersigning", department_id=person.department_id,
                            done_at__isnull=True).update(done_at=timezone.now(), done_by=actor)
        return {"department": cs.department.code}
    return effect


def after_countersign(doc) -> str:
    return "countersigning" if doc.countersigns.filter(state=Countersign.PENDING).exists() else "signing"


def sign(doc, actor, person, data):
    doc.signer_name = str(person)
    doc.signed_by, doc.signed_at = person, timezone.now()
    if doc.written_date is None:
        doc.written_date = timezone.localdate()
    return {"signer": doc.signer_name, "otp_confirmed": True}


def clear_signature(doc, actor, person, data):
    doc.signer_name, doc.signed_by, doc.signed_at = "", None, None
    return {}


def assign_number(doc, actor, person, data):
    doc.year = doc.year or timezone.localdate().year
    doc.number = numbering.next_number(doc.agency_code, doc.year)
    return {"doc_number": doc.doc_number}


def issue(doc, actor, person, data):
    from intranet.oa.services.render import store_pdf

    doc.printed_date = doc.printed_date or timezone.localdate()
    doc.printing_agency = doc.printing_agency or getattr(settings, "JINCAI_OA_PRINTING_AGENCY", "宝鸡市财政局办公室")
    store_pdf(doc)
    return {"pdf_sha256": doc.pdf_sha256}


def distribute(doc, actor, person, data):
    targets, readers = [], 0
    for dept in Department.objects.filter(pk__in=data.get("departments") or []).order_by("code"):
        dist = Distribution.objects.create(document=doc, target=dept.name, channel="internal", department=dept)
        readers += reading.ask_to_read(doc, dist, exclude=actor)
        targets.append(dept.name)
    for line in (data.get("paper") or "").splitlines():
        if line.strip():
            Distribution.objects.create(document=doc, target=line.strip()[:200], channel="paper")
            targets.append(line.strip())
    if data.get("to_province"):
        from intranet.oa.services.province import send_to_province

        item = send_to_province(doc, actor)
        Distribution.objects.create(document=doc, target=_("Provincial finance department"), channel="province",
                                    exchange_ref=str(item.pk))
        targets.append("province")
    return {"targets": targets[:50], "readers": readers}


CATEGORY_CODES = {"general": "ZH", "budget": "YS", "treasury": "GK", "procurement": "CG", "information": "XX"}
RETENTION_CODES = {"permanent": "Y", "30y": "D30", "10y": "D10"}


def archive(doc, actor, person, data):
    year = doc.year or (doc.written_date or timezone.localdate()).year
    n = numbering.next_number(f"档{CATEGORY_CODES[data['category']]}", year)
    doc.retention, doc.archive_category, doc.archive_year = data["retention"], data["category"], year
    doc.archive_code = f"{year}-{CATEGORY_CODES[data['category']]}-{RETENTION_CODES[data['retention']]}-{n:04d}"
    doc.archived_at = timezone.now()
    return {"archive_code": doc.archive_code}


def register_incoming(doc, actor, person, data):
    doc.year = timezone.localdate().year
    doc.agency_code = incoming_code()
    doc.number = numbering.next_number(doc.agency_code, doc.year)
    return {"register_number": doc.doc_number}


def instruct(doc, actor, person, data):
    doc.lead_department_id = int(data["lead_department"])
    doc.deadline = data["deadline"]
    return {"lead_department": doc.lead_department.code, "deadline": doc.deadline.isoformat()}


def start_circulation(doc, actor, person, data):
    from django.contrib.auth import get_user_model

    users = list(get_user_model().objects.filter(pk__in=data["readers"], is_active=True))
    order = {int(pk): i for i, pk in enumerate(data["readers"])}
    users.sort(key=lambda u: order[u.pk])
    doc.circulation.filter(read_at__isnull=True).delete()
    Task.objects.filter(document=doc, step="circulate", done_at__isnull=True).update(done_at=timezone.now())
    start = (doc.circulation.order_by("-position").values_list("position", flat=True).first() or 0) + 1
    Circulation.objects.bulk_create(Circulation(document=doc, position=start + i, reader=u)
                                    for i, u in enumerate(users))
    _hand_to_next(doc)
    return {"readers": [u.username for u in users]}


def _hand_to_next(doc):
    nxt = doc.circulation.filter(read_at__isnull=True).order_by("position").first()
    doc.holder = nxt.reader if nxt else None
    if nxt:
        Circulation.objects.filter(pk=nxt.pk).update(received_at=timezone.now())
        Task.objects.create(document=doc, step="circulate", user=nxt.reader)


def pass_on(doc, actor, person, data):
    row = doc.circulation.filter(reader=person, read_at__isnull=True).order_by("position").first()
    if row:
        Circulation.objects.filter(pk=row.pk).update(read_at=timezone.now())
    Task.objects.filter(document=doc, step="circulate", user=person, done_at__isnull=True).update(
        done_at=timezone.now(), done_by=actor)
    _hand_to_next(doc)
    return {"next": doc.holder.username if doc.holder else ""}


def urge(doc, actor, person, data):
    n = Task.objects.filter(document=doc, done_at__isnull=True).update(reminded_at=timezone.now())
    return {"tasks_reminded": n}


# ----------------------------------------------------------------------------- machines
outgoing = Machine(OUT, {
    "draft": gettext_lazy("Drafting"), "reviewing": gettext_lazy("Under review"), "countersigning": gettext_lazy("Countersigning"),
    "signing": gettext_lazy("Awaiting signature"), "signed": gettext_lazy("Signed, awaiting number"),
    "numbered": gettext_lazy("Numbered, awaiting printing"), "issued": gettext_lazy("Issued"), "distributed": gettext_lazy("Distributed"),
    "archived": gettext_lazy("Archived"),
})
incoming = Machine(IN, {
    "arrived": gettext_lazy("Awaiting receipt"), "received": gettext_lazy("Awaiting registration"),
    "registered": gettext_lazy("Awaiting screening"), "returned": gettext_lazy("Returned to sender"),
    "proposing": gettext_lazy("Awaiting proposal"), "instructing": gettext_lazy("Awaiting instruction"),
    "handling": gettext_lazy("Being handled"), "completed": gettext_lazy("Completed"), "archived": gettext_lazy("Archived"),
})
MACHINES.update({OUT: outgoing, IN: incoming})
R = "secondary"

for t in (
    Transition("submit", gettext_lazy("Submit for review"), OUT, ("draft",), "reviewing", "draft_document", drafter,
               (complete_elements,)),
    Transition("review_pass", gettext_lazy("Approve the draft"), OUT, ("reviewing",),
               lambda d: "countersigning" if d.countersigns.exists() else "signing", "review_document",
               own_department, (known_departments, complete_elements), set_countersigns),
    Transition("review_return", gettext_lazy("Return to the drafter"), OUT, ("reviewing",), "draft", "review_document",
               own_department, needs_comment=True, style=R),
    Transition("countersign_agree", gettext_lazy("Agree (countersign)"), OUT, ("countersigning",), after_countersign,
               "review_document", countersigner, effect=countersign(True)),
    Transition("countersign_reject", gettext_lazy("Disagree and return"), OUT, ("countersigning",), "draft",
               "review_document", countersigner, effect=countersign(False), needs_comment=True, style=R),
    Transition("sign", gettext_lazy("Sign (签发)"), OUT, ("signing",), "signed", "sign_document", None, (complete_elements,),
               sign, needs_otp=True),
    Transition("sign_return", gettext_lazy("Return without signing"), OUT, ("signing",), "draft", "sign_document",
               needs_comment=True, style=R),
    Transition("assign_number", gettext_lazy("Assign the number (编号)"), OUT, ("signed",), "numbered", "clerk_document",
               office, (complete_elements,), assign_number),
    Transition("issue", gettext_lazy("Print and issue (印发)"), OUT, ("numbered",), "issued", "clerk_document", office,
               (complete_for_issue,), issue),
    Transition("distribute", gettext_lazy("Distribute (分发)"), OUT, ("issued",), "distributed", "clerk_document", office,
               effect=distribute),
    Transition("archive", gettext_lazy("Archive (归档)"), OUT, ("issued", "distributed"), "archived", "archive_document",
               office, (archive_choice,), archive),
    # Internal: a substantive change after signing (services.documents.update_document).
    Transition("return_to_signer", gettext_lazy("Back to the signer after a change"), OUT, ("signed", "numbered"),
               "signing", "", None, effect=clear_signature, style=R, internal=True),
):
    outgoing.add(t)

for t in (
    Transition("receive", gettext_lazy("Acknowledge receipt (签收)"), IN, ("arrived",), "received", "clerk_document", office),
    Transition("register", gettext_lazy("Register (登记)"), IN, ("received",), "registered", "clerk_document", office,
               effect=register_incoming),
    Transition("screen_pass", gettext_lazy("Accept after screening (初审)"), IN, ("registered",), "proposing",
               "clerk_document", office),
    Transition("screen_return", gettext_lazy("Return to the sender"), IN, ("registered",), "returned", "clerk_document",
               office, needs_comment=True, style=R),
    Transition("propose", gettext_lazy("Propose handling (拟办)"), IN, ("proposing",), "instructing", "review_document",
               office, needs_comment=True),
    Transition("instruct", gettext_lazy("Instruct (批办)"), IN, ("instructing",), "handling", "sign_document", None,
               (lead_and_deadline,), instruct),
    Transition("circulate", gettext_lazy("Circulate (传阅)"), IN, ("instructing", "handling", "completed"), None,
               "handle_document", lead_or_office, (readers_given,), start_circulation),
    Transition("pass_on", gettext_lazy("Read, pass on"), IN, ("instructing", "handling", "completed"), None, "", holder,
               effect=pass_on),
    Transition("urge", gettext_lazy("Urge (催办)"), IN, ("handling",), None, "clerk_document", office, effect=urge,
               needs_comment=True, style=R),
    Transition("complete", gettext_lazy("Complete (办结)"), IN, ("handling",), "completed", "handle_document",
               lead_department, needs_comment=True),
    Transition("archive", gettext_lazy("Archive (归档)"), IN, ("completed", "returned"), "archived", "archive_document",
               office, (archive_choice,), archive),
):
    incoming.add(t)


def _office_clerks(doc):
    return [{"permission": "clerk_document"}]


outgoing.tasks.update({
    "draft": lambda d: [{"user": d.created_by}],
    "reviewing": lambda d: [{"department_id": d.department_id, "permission": "review_document"}],
    "countersigning": lambda d: [{"department_id": c.department_id, "permission": "review_document"}
                                 for c in d.countersigns.filter(state=Countersign.PENDING)],
    "signing": lambda d: [{"permission": "sign_document"}],
    "signed": _office_clerks, "numbered": _office_clerks, "issued": _office_clerks,
    "distributed": lambda d: [{"permission": "archive_document"}],
})
incoming.tasks.update({
    "arrived": _office_clerks, "received": _office_clerks, "registered": _office_clerks,
    "proposing": lambda d: [{"permission": "review_document",
                             "department": Department.objects.filter(code=office_code()).first()}],
    "instructing": lambda d: [{"permission": "sign_document"}],
    "handling": lambda d: [{"department_id": d.lead_department_id, "permission": "handle_document",
                            "due": d.deadline}],
    "completed": lambda d: [{"permission": "archive_document"}],
})
