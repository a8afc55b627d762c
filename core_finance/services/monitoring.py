"""Monitoring rules on payments: blue logs, yellow warns, orange needs an attachment, red blocks."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from core_finance.errors import refuse
from core_finance.models import Level, MonitorHit, MonitorRule, RuleKind
from core_finance.money import yuan


@dataclass
class Hit:
    rule: MonitorRule
    message: str


def evaluate(*, amount, dept_econ_code: str, is_cash: bool, payee_is_individual: bool) -> list[Hit]:
    hits = []
    for rule in MonitorRule.objects.filter(is_active=True):
        threshold = rule.threshold
        if rule.kind == RuleKind.ECON_CODES:
            prefixes = [p.strip() for p in rule.econ_prefixes.split(",") if p.strip()]
            if any(dept_econ_code.startswith(p) for p in prefixes) and (threshold is None or amount > threshold):
                hits.append(Hit(rule, _("economic code %(code)s is monitored") % {"code": dept_econ_code}))
        elif rule.kind == RuleKind.CASH:
            if is_cash and (threshold is None or amount > threshold):
                hits.append(Hit(rule, _("cash withdrawal of %(amount)s yuan") % {"amount": yuan(amount)}))
        elif rule.kind == RuleKind.INDIVIDUAL:
            if payee_is_individual and threshold is not None and amount > threshold:
                hits.append(Hit(rule, _("payment of %(amount)s yuan to an individual exceeds %(limit)s yuan")
                                % {"amount": yuan(amount), "limit": yuan(threshold)}))
        elif rule.kind == RuleKind.AMOUNT and threshold is not None and amount > threshold:
            hits.append(Hit(rule, _("payment of %(amount)s yuan exceeds %(limit)s yuan")
                            % {"amount": yuan(amount), "limit": yuan(threshold)}))
    return hits


def enforce(hits: list[Hit], has_attachment: bool) -> None:
    """Refuse on a red hit, or on an orange hit without an explanation attachment."""
    for hit in hits:
        if hit.rule.level == Level.RED:
            raise refuse("monitor_block", rule=hit.rule.name, message=hit.message)
    for hit in hits:
        if hit.rule.level == Level.ORANGE and not has_attachment:
            raise refuse("monitor_attachment", rule=hit.rule.name, message=hit.message)


def store(hits: list[Hit], application) -> list[MonitorHit]:
    return MonitorHit.objects.bulk_create([
        MonitorHit(rule=h.rule, application=application, level=h.rule.level, message=h.message[:300]) for h in hits
    ])
