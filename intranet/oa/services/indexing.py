"""Official documents in the intranet search index, with the same access rules as the screens.

Each document is one search entry (source ``oa``) whose grants say who may find it:

- ``dept:<code>`` for its department, the lead department (承办科室), the countersigning
  departments and the departments it was distributed to;
- ``user:<id>`` for the people it was routed to: its drafter, everyone who acted on it, the
  readers of a circulation or a distribution, the named holders of open tasks, and the members
  of a department holding a permission an open task asks for;
- ``group:<name>`` for roles that see every document (``oa.view_all_documents``) or that an open
  task without a department asks for, and ``user:<id>`` for people given such a permission directly.

An entry is never public: a document released to the portal is found there, through the
exchange. Changes are queued after commit (``schedule``) and applied by the Celery task
``oa.search_sync``, the path the search app uses for its own sources; a full rebuild
(``rebuild_search_index``) derives every entry again through :func:`sync_all`.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q
from django.urls import reverse

from intranet.oa.models import Document
from search.models import Kind
from search.services import indexing

SOURCE = "oa"


def entry_key(document_id: int) -> str:
    return f"{SOURCE}:document:{document_id}"


def _permission(codename: str) -> Permission | None:
    return Permission.objects.filter(content_type__app_label="oa", codename=codename).first()


def _holders(codename: str, department_id: int | None = None) -> set[str]:
    """Tokens of everyone holding ``oa.<codename>`` (within ``department_id`` when given)."""
    perm = _permission(codename)
    if perm is None:
        return set()
    User = get_user_model()
    if department_id is not None:
        # A role within one department: the people themselves (a token can not say "group AND dept").
        people = User.objects.filter(Q(groups__permissions=perm) | Q(user_permissions=perm), is_active=True,
                                     department_id=department_id).distinct()
        return {f"user:{pk}" for pk in people.values_list("pk", flat=True)}
    tokens = {f"group:{name}" for name in Group.objects.filter(permissions=perm).values_list("name", flat=True)}
    direct = User.objects.filter(is_active=True, user_permissions=perm).values_list("pk", flat=True)
    return tokens | {f"user:{pk}" for pk in direct}


def grants_for(doc: Document) -> set[str]:
    """Who may find ``doc``: the rule of :func:`intranet.oa.permissions.visible_documents` as tokens."""
    departments = {doc.department_id, doc.lead_department_id}
    departments |= set(doc.countersigns.values_list("department_id", flat=True))
    departments |= set(doc.distributions.exclude(department__isnull=True).values_list("department_id", flat=True))
    tokens = {f"dept:{code}" for code in type(doc.department).objects.filter(pk__in=departments - {None})
              .values_list("code", flat=True)} if departments - {None} else set()
    people = {doc.created_by_id}
    people |= set(doc.events.exclude(actor__isnull=True).values_list("actor_id", flat=True))
    people |= set(doc.circulation.values_list("reader_id", flat=True))
    people |= set(doc.reading.values_list("reader_id", flat=True))
    for user_id, department_id, permission in doc.tasks.filter(done_at__isnull=True).values_list(
            "user_id", "department_id", "permission"):
        if user_id:
            people.add(user_id)
        elif permission:
            tokens |= _holders(permission, department_id)
    tokens |= {f"user:{pk}" for pk in people - {None}}
    tokens |= _holders("view_all_documents")
    return tokens


def _text(doc: Document) -> str:
    parts = [doc.main_recipients, doc.body, doc.attachment_notes, doc.source_agency, doc.source_number, doc.cc]
    return "\n".join(p for p in parts if p)


def sync_document(document_id: int) -> str | None:
    """Make the entry of one document match it (removed when the document is gone); returns the key."""
    key = entry_key(document_id)
    doc = Document.objects.select_related("department").filter(pk=document_id).first()
    if doc is None:
        indexing.remove(key)
        return None
    issuer = doc.signature_agency if doc.is_outgoing else doc.source_agency
    indexing.upsert(
        key, source=SOURCE, kind=Kind.DOCUMENT, title=doc.title, body=_text(doc),
        doc_number=doc.doc_number or doc.source_number, issuer=issuer or (doc.department.name if doc.department else ""),
        published_at=doc.signed_at or doc.received_at or doc.created_at, url=reverse("oa:detail", args=[doc.pk]),
        public=False, grants=grants_for(doc), year=doc.year,
    )
    return key


def sync_all() -> set[str]:
    keys = set()
    for pk in Document.objects.order_by("pk").values_list("pk", flat=True).iterator():
        key = sync_document(pk)
        if key:
            keys.add(key)
    return keys


def _queued(document_id: int) -> bool:
    """An update of this document is already waiting for the current transaction to commit."""
    conn = transaction.get_connection()
    if not conn.in_atomic_block:
        return False
    return any(getattr(callback, "oa_document_id", None) == document_id and not callback.sent
               for _sids, callback, *_rest in conn.run_on_commit)


def schedule(document_id: int) -> None:
    """Queue the entry's update once the current transaction commits (once per document and commit:
    a transition saves the document and writes its history, both of which schedule)."""
    from intranet.oa import tasks
    from search.signals import enqueue

    if _queued(document_id):
        return

    def send():
        send.sent = True
        enqueue(tasks.search_sync, document_id)

    send.oa_document_id, send.sent = document_id, False
    transaction.on_commit(send)
