"""Who may see a document and on whose behalf someone acts.

One rule for every screen and for search: a user sees the documents of their department, those
routed to them (a task, a countersign, a circulation, a distribution to their department or to
them for reading, something they acted on), and everything
when their role allows it (``oa.view_all_documents``). A deputy sees what the absent colleague
they stand in for would see.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone

from intranet.oa.models import Delegation, Document, Task


def principals(user) -> list:
    """The user first, then everyone who has currently delegated to them."""
    if not getattr(user, "is_authenticated", False):
        return []
    now = timezone.now()
    away = [d.from_user for d in Delegation.objects.select_related("from_user__department")
            .filter(to_user=user, start__lte=now, end__gt=now)]
    return [user, *[u for u in away if u.pk != user.pk and u.is_active]]


def oa_perms(user) -> set[str]:
    return {p.split(".", 1)[1] for p in user.get_all_permissions() if p.startswith("oa.")}


def task_filter(people: list) -> Q:
    """Open tasks any of ``people`` may take."""
    q = Q(pk__in=[])
    for person in people:
        perms = oa_perms(person)
        q |= Q(user=person)
        shared = Q(user__isnull=True, permission__in=perms)
        if person.department_id:
            q |= shared & (Q(department__isnull=True) | Q(department_id=person.department_id))
        else:
            q |= shared & Q(department__isnull=True)
    return q


def open_tasks(user) -> QuerySet[Task]:
    people = principals(user)
    if not people:
        return Task.objects.none()
    return Task.objects.filter(done_at__isnull=True).filter(task_filter(people))


def visible_documents(user) -> QuerySet[Document]:
    people = principals(user)
    if not people:
        return Document.objects.none()
    if any(p.is_superuser or p.has_perm("oa.view_all_documents") for p in people):
        return Document.objects.all()
    q = Q(pk__in=[])
    for person in people:
        q |= (Q(created_by=person) | Q(events__actor=person) | Q(circulation__reader=person)
              | Q(reading__reader=person))
        if person.department_id:
            dept = person.department_id
            q |= (Q(department_id=dept) | Q(lead_department_id=dept) | Q(countersigns__department_id=dept)
                  | Q(distributions__department_id=dept))
    task_docs = Task.objects.filter(done_at__isnull=True).filter(task_filter(people)).values("document_id")
    q |= Q(pk__in=task_docs)
    return Document.objects.filter(pk__in=Document.objects.filter(q).values("pk"))


def can_view(user, document: Document) -> bool:
    return visible_documents(user).filter(pk=document.pk).exists()
