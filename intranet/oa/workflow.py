"""A small explicit state-machine engine for official documents.

A :class:`Transition` names its source states, its target, the permission and the department
rule of who may take it, its guards and its effect. :func:`transition` runs one: it locks the
document row, finds on whose behalf the user acts (themselves or a colleague who delegated to
them), checks the OTP re-confirmation when asked for, the guards, applies the effect, moves the
state, closes and opens tasks, and writes the history row and the audit event — all in one
transaction, so a refused or failed transition changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.accounts.otp import verify as verify_otp
from common.audit.services import record, snapshot
from intranet.oa.models import Document, DocumentEvent, Task
from intranet.oa.permissions import principals

AUDITED_FIELDS = ["state", "agency_code", "year", "number", "signer_name", "lead_department_id", "deadline",
                  "holder_id", "pdf_sha256", "archive_code", "retention"]

Scope = Callable[[Document, object], bool]  # (document, principal) -> may this person act here?
Guard = Callable[[Document, object, dict], "str | None"]  # (document, principal, data) -> problem
Effect = Callable[[Document, object, object, dict], "dict | None"]  # (doc, actor, principal, data)


class TransitionRefused(ValidationError):
    """A transition that may not happen; ``messages`` are user-facing Chinese sentences."""


@dataclass(frozen=True)
class Transition:
    name: str
    label: object  # lazy translation
    kind: str
    sources: tuple[str, ...]
    target: str | Callable[[Document], str] | None  # None: the state does not change
    permission: str = ""
    scope: Scope | None = None
    guards: tuple[Guard, ...] = ()
    effect: Effect | None = None
    needs_comment: bool = False
    needs_otp: bool = False
    style: str = "primary"  # "secondary" for returns, shown less prominently
    internal: bool = False  # taken by a service as a consequence, never offered to users

    def target_state(self, doc: Document) -> str:
        if self.target is None:
            return doc.state
        return self.target(doc) if callable(self.target) else self.target


@dataclass
class Machine:
    kind: str
    states: dict[str, object]  # state -> lazy label
    transitions: dict[str, Transition] = field(default_factory=dict)
    # state -> function(document) -> list of Task kwargs to open on entering it
    tasks: dict[str, Callable[[Document], list[dict]]] = field(default_factory=dict)

    def add(self, t: Transition) -> Transition:
        assert t.kind == self.kind and all(s in self.states for s in t.sources), t.name
        self.transitions[t.name] = t
        return t


MACHINES: dict[str, Machine] = {}


def machine(doc_or_kind) -> Machine:
    kind = doc_or_kind if isinstance(doc_or_kind, str) else doc_or_kind.kind
    if not MACHINES:
        from intranet.oa import flows  # noqa: F401  (registers the machines)
    return MACHINES[kind]


def state_label(doc: Document) -> str:
    return str(machine(doc).states.get(doc.state, doc.state))


def acting_principal(t: Transition, doc: Document, user):
    """The person the user may act as for ``t`` (themselves first), or None."""
    for person in principals(user):
        if t.permission and not person.has_perm(f"oa.{t.permission}"):
            continue
        if t.scope is not None and not t.scope(doc, person):
            continue
        return person
    return None


def available(doc: Document, user) -> list[Transition]:
    """Transitions the user could take now (guards that need input are checked on submit)."""
    m = machine(doc)
    return [t for t in m.transitions.values()
            if not t.internal and doc.state in t.sources and acting_principal(t, doc, user)]


def _open_tasks(doc: Document, m: Machine) -> None:
    make = m.tasks.get(doc.state)
    if make:
        Task.objects.bulk_create(Task(document=doc, step=doc.state, **spec) for spec in make(doc))


def transition(doc: Document, name: str, user, *, internal: bool = False, **data) -> Document:
    """Take transition ``name`` on ``doc`` as ``user``; raise :class:`TransitionRefused` on any problem."""
    m = machine(doc)
    t = m.transitions.get(name)
    if t is None or (t.internal and not internal):
        raise TransitionRefused(_("Unknown action “%(name)s”.") % {"name": name})
    comment = (data.pop("comment", "") or "").strip()
    if t.needs_otp:
        # Checked before the transaction so a wrong code still counts towards the throttle.
        if acting_principal(t, doc, user) is None:
            raise TransitionRefused(_("You are not allowed to “%(action)s” this document.") % {"action": t.label})
        if not verify_otp(user, str(data.pop("otp", "") or "")):
            raise TransitionRefused(_("The one-time password is wrong or expired; enter the current code from "
                                      "your authenticator to confirm."))
    with transaction.atomic():
        doc = Document.objects.select_for_update().get(pk=doc.pk)
        if doc.state not in t.sources:
            raise TransitionRefused(_("“%(action)s” is not possible while the document is “%(state)s”.")
                                    % {"action": t.label, "state": state_label(doc)})
        principal = acting_principal(t, doc, user)
        if principal is None:
            raise TransitionRefused(_("You are not allowed to “%(action)s” this document.") % {"action": t.label})
        if t.needs_comment and not comment:
            raise TransitionRefused(_("Give your reasons for “%(action)s”.") % {"action": t.label})
        problems = [p for g in t.guards if (p := g(doc, principal, data))]
        if problems:
            raise TransitionRefused([str(p) for p in problems])
        before = snapshot(doc, AUDITED_FIELDS)
        from_state = doc.state
        extra = (t.effect(doc, user, principal, {**data, "comment": comment}) if t.effect else None) or {}
        doc.state = t.target_state(doc)
        doc.save(archiving=doc.state == "archived")
        now = timezone.now()
        if doc.state != from_state:
            Task.objects.filter(document=doc, step=from_state, done_at__isnull=True).update(
                done_at=now, done_by=user)
            _open_tasks(doc, m)
        event = DocumentEvent.objects.create(
            document=doc, transition=t.name, from_state=from_state, to_state=doc.state, actor=user,
            on_behalf_of=principal if principal.pk != user.pk else None, comment=comment, data=extra)
        record(f"oa.{t.name}", doc, before=before, after=snapshot(doc, AUDITED_FIELDS),
               detail={"event": event.pk, "comment": comment[:500], "on_behalf_of":
                       principal.get_username() if principal.pk != user.pk else "", **extra}, actor=user)
    return doc


def start(doc: Document, state: str, user, name: str, **extra) -> Document:
    """Put a new document into its first state (inside the caller's transaction)."""
    m = machine(doc)
    assert state in m.states
    doc.state = state
    doc.save()
    _open_tasks(doc, m)
    DocumentEvent.objects.create(document=doc, transition=name, from_state="", to_state=state, actor=user,
                                 data=extra)
    record(f"oa.{name}", doc, after=snapshot(doc, AUDITED_FIELDS), detail=extra, actor=user)
    return doc


LABEL_EDIT = gettext_lazy("Edit")
