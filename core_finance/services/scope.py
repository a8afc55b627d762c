"""Division scoping: the one place that decides which agencies' data a user may see.

``for_user(queryset, user)`` narrows any finance queryset to the divisions the user may see;
every finance screen and export builds its queryset through it, and the services check single
objects with ``require_agency``. A user without a membership sees only the home division; a
supervising member sees their division and all below it; a superuser sees everything.
"""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from core_finance.errors import refuse
from core_finance.models import DivisionMembership, FiscalDivision

# How each model reaches the agency whose division decides visibility.
AGENCY_PATHS = {
    "agency": "", "project": "agency__", "budgetversion": "agency__", "budgetline": "version__agency__",
    "indicator": "agency__", "indicatoradjustment": "indicator__agency__", "indicatortransaction": "indicator__agency__",
    "paymentplan": "indicator__agency__", "paymentapplication": "agency__", "paymentvoucher": "application__agency__",
    "paymentrefund": "application__agency__", "monitorhit": "application__agency__",
    "disclosuredataset": "agency__", "journalline": "agency__",
}
# The division records themselves: a user sees the divisions (and their members) they may see.
DIVISION_PATHS = {"fiscaldivision": "pk__in", "divisionmembership": "division_id__in"}
# The business modules' models, keyed "app_label.modelname" (their short names may repeat across
# modules); each module declares its own in its AppConfig.ready() through ``register_paths``.
MODULE_PATHS: dict[str, str] = {}


def register_paths(app_label: str, paths: dict[str, str]) -> None:
    """A business module declares how its models reach the agency (model name → lookup with __;
    "" for a model that carries its own ``division``)."""
    MODULE_PATHS.update({f"{app_label}.{name}": prefix for name, prefix in paths.items()})


def _agency_path(model) -> str | None:
    return MODULE_PATHS.get(model._meta.label_lower, AGENCY_PATHS.get(model._meta.model_name))


def scoped_model(model) -> bool:
    return model is not None and (model._meta.label_lower in MODULE_PATHS
                                  or model._meta.model_name in AGENCY_PATHS.keys() | DIVISION_PATHS.keys())


def membership(user) -> DivisionMembership | None:
    if user is None or not getattr(user, "pk", None):
        return None
    return DivisionMembership.objects.select_related("division").filter(user_id=user.pk).first()


def division_of(user) -> FiscalDivision:
    found = membership(user)
    return found.division if found else FiscalDivision.home()


def division_ids(user) -> list[int] | None:
    """The divisions ``user`` may see; None means all (superusers)."""
    if user is not None and getattr(user, "is_superuser", False):
        return None
    found = membership(user)
    if found is None:
        return [FiscalDivision.home().pk]
    return found.division.family_ids() if found.supervises else [found.division_id]


def sees_home(user) -> bool:
    ids = division_ids(user)
    return ids is None or FiscalDivision.home().pk in ids


def _condition(prefix: str, ids: list[int]) -> Q:
    cond = Q(**{f"{prefix}division_id__in": ids})
    if FiscalDivision.home().pk in ids:
        cond |= Q(**{f"{prefix}division__isnull": True})
    return cond


def for_user(queryset, user, path: str | None = None):
    """``queryset`` narrowed to what ``user`` may see (``path``: the lookup to the agency, with __)."""
    ids = division_ids(user)
    if ids is None:
        return queryset
    name = queryset.model._meta.model_name
    if path is None and name in DIVISION_PATHS:
        return queryset.filter(**{DIVISION_PATHS[name]: ids})
    prefix = _agency_path(queryset.model) if path is None else path
    if prefix is None:
        raise KeyError(name)
    return queryset.filter(_condition(prefix, ids))


def within(queryset, division, path: str = ""):
    """``queryset`` narrowed to ``division`` and the divisions below it (``path``: the lookup to the
    record holding ``division``, with __) — what a county's programme may reach, whoever asks."""
    return queryset.filter(_condition(path, (division or FiscalDivision.home()).family_ids()))


def agency_ids(user) -> list[int] | None:
    from core_finance.models import Agency

    if division_ids(user) is None:
        return None
    return list(for_user(Agency.objects.all(), user).values_list("pk", flat=True))


def can_see_agency(user, agency) -> bool:
    if user is None:
        return True
    ids = division_ids(user)
    return ids is None or (agency.division_id or FiscalDivision.home().pk) in ids


def require_agency(user, agency) -> None:
    """Services: refuse to act on another division's agency (a missing user is a system job)."""
    if user is not None and not can_see_agency(user, agency):
        raise refuse("division", agency=str(agency))


def get_or_404(queryset_or_model, user, **lookup):
    """Views: another division's object does not exist for this user."""
    qs = queryset_or_model if hasattr(queryset_or_model, "model") and hasattr(queryset_or_model, "filter") \
        else queryset_or_model._default_manager.all()
    return get_object_or_404(for_user(qs, user), **lookup)


def require_home(user) -> None:
    """Installation-wide screens (treasury ledger, agent bank clearing) are for home-level staff."""
    if not sees_home(user):
        raise Http404


def require_county_review(app, user) -> None:
    """县监管: a payment at or above its division's threshold is approved only by a supervising
    member of a division above it (the township's own approvers cannot approve it)."""
    division = app.agency.division
    if division is None or division.review_threshold is None or app.amount < division.review_threshold:
        return
    found = membership(user)
    if found is not None and found.supervises and found.division_id in division.ancestor_ids():
        return
    raise refuse("county_review", number=app.number, threshold=division.review_threshold,
                 division=division.name)


def narrow_form(form, user):
    """Narrow every agency-bound (and division) choice of ``form`` to what ``user`` may see."""
    ids = division_ids(user)
    for field in form.fields.values():
        queryset = getattr(field, "queryset", None)
        if queryset is None or ids is None:
            continue
        if scoped_model(queryset.model):
            field.queryset = for_user(queryset, user)
    return form
