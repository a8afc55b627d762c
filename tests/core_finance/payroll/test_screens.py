"""Payroll screens: the run page computes and submits through the services, the approver sees the
approve button, a staff member sees only their own payslip, the demo loads twice."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission

from core_finance.payroll.models import PayrollRun, RunStatus
from core_finance.payroll.services import runs
from tests.core_finance.payroll.conftest import PERIOD

pytestmark = pytest.mark.django_db


def login(client, make_user, otp_login, username, *perms):
    user, password, device = make_user(username, is_staff=True)
    for perm in (*perms, "wagtailadmin.access_admin"):
        app_label, codename = perm.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    otp_login(client, username, password, device)
    return type(user).objects.get(pk=user.pk)


def test_run_screen_from_new_run_to_approval(client, make_user, otp_login, agency, hire, wage_indicator, pclerk,
                                             papprover):
    hire("李明")
    clerk = login(client, make_user, otp_login, "gz", "finance_payroll.add_payrollrun",
                  "finance_payroll.view_payrollrun", "core_finance.add_paymentapplication",
                  "core_finance.view_indicator")
    response = client.post("/admin/finance/payroll/runs/new/", {"agency": agency.pk, "period": PERIOD,
                                                                "indicator": wage_indicator.pk})
    run = PayrollRun.objects.get()
    assert response.status_code == 302 and response.url.endswith(f"/runs/{run.pk}/")
    page = client.get(response.url).content.decode()
    assert "李明" in page and "提交" in page
    again = client.post("/admin/finance/payroll/runs/new/", {"agency": agency.pk, "period": PERIOD,
                                                             "indicator": wage_indicator.pk}, follow=True)
    assert "已有" in again.content.decode()  # one run per agency and month, said in Chinese
    client.post(f"/admin/finance/payroll/runs/{run.pk}/submit/")
    assert PayrollRun.objects.get().status == RunStatus.SUBMITTED
    refused = client.post(f"/admin/finance/payroll/runs/{run.pk}/approve/", follow=True)
    assert PayrollRun.objects.get().status == RunStatus.SUBMITTED
    assert clerk.pk == run.created_by_id and refused.status_code == 200


def test_a_staff_member_sees_only_their_own_payslip(client, make_user, otp_login, agency, hire, wage_indicator,
                                                    pclerk, papprover):
    li = hire("李明")
    hire("张伟")
    run = runs.approve(runs.submit(runs.create(agency, PERIOD, wage_indicator, pclerk), pclerk), papprover)
    me = login(client, make_user, otp_login, "liming")
    li.user = me
    li.save()
    mine, theirs = run.slips.get(staff=li), run.slips.exclude(staff=li).get()
    listing = client.get("/admin/finance/payroll/payslips/").content.decode()
    assert "李明" in listing and "张伟" not in listing
    slip = client.get(f"/admin/finance/payroll/payslips/{mine.pk}/").content.decode()
    assert "基本工资" in slip and f"{mine.net:.2f}" in slip and mine.bank_card not in slip
    assert client.get(f"/admin/finance/payroll/payslips/{theirs.pk}/").status_code == 404


def test_demo_loads_twice(db):
    from core_finance.demo import load_demo as core_demo
    from core_finance.payroll.demo import load_demo

    core_demo()
    load_demo()
    load_demo()
    run = PayrollRun.objects.get(status=RunStatus.APPROVED)
    assert run.gross == run.net + run.withholdings and run.headcount == 6
    assert PayrollRun.objects.count() == 2
