"""Who sees which entries. The public sees public entries only; staff see public entries and the
entries granted to them, their department or one of their groups. The restriction is part of
the search query itself, so hits, counts, facets and snippets never include anything else."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from modelsearch.backends.elasticsearchbase import ElasticsearchBaseSearchBackend

from search.models import Entry, Grant


def scope_tokens(user) -> set[str]:
    tokens = {f"user:{user.pk}"}
    department = getattr(user, "department", None)
    if department is not None:
        tokens.add(f"dept:{department.code}")
    tokens.update(f"group:{name}" for name in user.groups.values_list("name", flat=True))
    return tokens


def public_entries() -> QuerySet:
    return Entry.objects.filter(is_public=True)


def visible_entries(user, backend) -> QuerySet:
    """Entries ``user`` may open, expressed so that ``backend`` applies it inside the search."""
    if user is None or not user.is_authenticated or not user.is_active:
        return public_entries()
    if user.is_superuser:
        return Entry.objects.all()
    tokens = sorted(scope_tokens(user))
    if isinstance(backend, ElasticsearchBaseSearchBackend):
        # A nested terms filter inside the engine's query.
        granted = Q(grants__token__in=tokens)
    else:
        # A sub-select in the same SQL statement (a join would repeat entries with several grants).
        granted = Q(pk__in=Grant.objects.filter(token__in=tokens).values("entry_id"))
    return Entry.objects.filter(Q(is_public=True) | granted)
