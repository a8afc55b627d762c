"""The finance models, one module per area; the app label is ``core_finance``."""

from core_finance.models.agencies import Agency, PerformanceTarget, Project, ProjectCategory, TargetKind
from core_finance.models.bank import BankFile, ClearingRecord
from core_finance.models.budget import BudgetLine, BudgetReview, BudgetStatus, BudgetVersion
from core_finance.models.codes import ClassificationCode, CodeTable, EconomicMapping, PaymentKind
from core_finance.models.common import NumberSequence
from core_finance.models.disclosure import DisclosureDataset
from core_finance.models.divisions import DivisionLevel, DivisionMembership, FiscalDivision
from core_finance.models.indicators import (
    AdjustmentKind,
    DecisionStatus,
    Indicator,
    IndicatorAdjustment,
    IndicatorTransaction,
    TxKind,
)
from core_finance.models.ledger import AccountingPeriod, JournalEntry, JournalLine, LedgerAccount
from core_finance.models.monitoring import Level, MonitorHit, MonitorRule, RuleKind
from core_finance.models.payments import (
    PaymentApplication,
    PaymentPlan,
    PaymentRefund,
    PaymentStatus,
    PaymentVoucher,
)

__all__ = [
    "AccountingPeriod", "AdjustmentKind", "Agency", "BankFile", "BudgetLine", "BudgetReview", "BudgetStatus",
    "BudgetVersion", "ClassificationCode", "ClearingRecord", "CodeTable", "DecisionStatus", "DisclosureDataset", "DivisionLevel", "DivisionMembership",
    "EconomicMapping", "FiscalDivision", "Indicator", "IndicatorAdjustment", "IndicatorTransaction", "JournalEntry", "JournalLine",
    "LedgerAccount", "Level", "MonitorHit", "MonitorRule", "NumberSequence", "PaymentApplication", "PaymentKind", "PaymentPlan",
    "PaymentRefund", "PaymentStatus", "PaymentVoucher", "PerformanceTarget", "Project", "ProjectCategory",
    "RuleKind", "TargetKind", "TxKind",
]
