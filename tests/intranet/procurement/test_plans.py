"""Procurement plans draw on a core finance budget indicator: approval within its available balance,
tenders within their plan."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError

from common.audit.models import AuditEvent
from core_finance.demo import ROLE_PERMS
from intranet.procurement.models import ProcurementPlan, Tender
from intranet.procurement.services import plans, publishing

pytestmark = pytest.mark.django_db
YEAR = 2026


@pytest.fixture
def finance_chief(db):
    user = get_user_model().objects.create_user(username="zhaolei", password="Correct-Horse-42", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="core_finance",
                                                        codename__in=ROLE_PERMS["科长"]))
    return get_user_model().objects.get(pk=user.pk)


@pytest.fixture
def agency(db):
    from core_finance.models import Agency

    dept = Agency.objects.create(code="101", name="宝鸡市财政局", is_department=True)
    return Agency.objects.create(code="101001", name="宝鸡市财政局（本级）", parent=dept)


@pytest.fixture
def issue(db, agency, finance_chief):
    from core_finance.reference_codes import codes_csv
    from core_finance.services import indicators
    from core_finance.services.codes import load_codes

    load_codes(codes_csv(YEAR))

    def make(amount, unit=None, year=YEAR):
        return indicators.issue(year=year, agency=unit or agency, functional="2010601", dept_econ="30201",
                                funding="11", amount=Decimal(amount), doc_number="宝财预〔2026〕1号", user=finance_chief)

    return make


@pytest.fixture
def chief(role_user):
    return role_user("kezhang", "manage_tenders")[0]


def _plan(agency, indicator, amount, user):
    plan = ProcurementPlan(year=YEAR, title="财政一体化系统运维服务", agency=agency, indicator=indicator,
                           budget_amount=Decimal(amount), created_by=user)
    plan.full_clean()
    plan.save()
    return plan


def test_a_plan_within_the_indicators_balance_is_approved_by_someone_else(issue, agency, manager, chief):
    indicator = issue("1500000.00")
    plan = _plan(agency, indicator, "1200000.00", manager)
    assert plan.status == ProcurementPlan.DRAFT and plan.department == agency.name
    with pytest.raises(PermissionDenied):
        plans.approve(plan, manager)
    plans.approve(plan, chief)
    plan.refresh_from_db()
    assert plan.status == ProcurementPlan.APPROVED and plan.approved_by == chief
    event = AuditEvent.objects.get(action="procurement.plan.approved")
    assert event.detail["indicator"] == indicator.number
    plan.budget_amount = Decimal("1300000.00")  # an approved plan keeps its figures
    with pytest.raises(ValidationError):
        plan.full_clean()


def test_a_plan_above_the_available_balance_at_approval_is_refused(issue, agency, manager, chief, finance_chief):
    from core_finance.services import indicators

    indicator = issue("1500000.00")
    plan = _plan(agency, indicator, "1200000.00", manager)
    indicators.freeze(indicator, Decimal("400000.00"), finance_chief, doc_number="冻结")  # balance now 1,100,000
    with pytest.raises(ValidationError) as exc:
        plans.approve(plan, chief)
    message = exc.value.messages[0]
    assert "超过" in message and indicator.number in message and "1,100,000.00" in message
    assert ProcurementPlan.objects.get(pk=plan.pk).status == ProcurementPlan.DRAFT


def test_the_indicator_must_be_the_agencys_and_the_years(issue, agency, manager):
    from core_finance.models import Agency

    other = Agency.objects.create(code="102001", name="宝鸡市教育局（本级）")
    foreign = issue("900000.00", unit=other)
    plan = ProcurementPlan(year=YEAR, title="x", agency=agency, indicator=foreign, budget_amount=Decimal("1"),
                           created_by=manager)
    with pytest.raises(ValidationError) as exc:
        plan.full_clean()
    assert "indicator" in exc.value.message_dict
    with pytest.raises(ValidationError):  # a new plan needs an indicator
        ProcurementPlan(year=YEAR, title="x", agency=agency, budget_amount=Decimal("1")).full_clean()


def test_a_tender_cannot_exceed_its_plan_nor_use_an_unapproved_one(issue, agency, make_draft, manager, chief):
    plan = _plan(agency, issue("2000000.00"), "900000.00", manager)
    tender = make_draft()  # budget 1,000,000
    tender.plan = plan
    tender.save()
    problems = " ".join(publishing.publication_problems(tender, tender.created_at))
    assert "尚未批准" in problems
    plans.approve(plan, chief)
    tender = Tender.objects.get(pk=tender.pk)
    problems = " ".join(publishing.publication_problems(tender, tender.created_at))
    assert "超过" in problems and "900,000.00" in problems
    ProcurementPlan.objects.filter(pk=plan.pk).update(budget_amount=Decimal("1000000.00"))
    tender = Tender.objects.get(pk=tender.pk)
    assert not [p for p in publishing.publication_problems(tender, tender.created_at) if "计划" in p]


def test_plan_and_tender_screens_show_the_indicator(issue, agency, make_draft, manager, chief, client, role_user,
                                                    otp_login):
    indicator = issue("1500000.00")
    plan = _plan(agency, indicator, "1000000.00", manager)
    user, password, device = role_user("kezhang3", "manage_tenders")
    otp_login(client, user.username, password, device, "/admin/")
    response = client.post(f"/admin/procurement/plans/{plan.pk}/")
    assert response.status_code == 302
    assert ProcurementPlan.objects.get(pk=plan.pk).status == ProcurementPlan.APPROVED
    page = client.get(f"/admin/procurement/plans/{plan.pk}/").content.decode()
    assert indicator.number in page and "plan-indicator" in page
    tender = make_draft()
    tender.plan = plan
    tender.save()
    page = client.get(f"/admin/procurement/tenders/{tender.pk}/").content.decode()
    assert indicator.number in page and "tender-plan" in page
    # The plan form offers the indicators; creating a plan records who entered it.
    response = client.post("/admin/procurement/plans/new/", {
        "year": YEAR, "title": "办公设备采购", "agency": agency.pk, "indicator": indicator.pk,
        "budget_amount": "50000.00", "method": "inquiry", "notes": ""})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert ProcurementPlan.objects.get(title="办公设备采购").created_by == user
