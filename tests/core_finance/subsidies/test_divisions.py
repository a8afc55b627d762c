"""Division isolation of farmer subsidies (乡财乡用县监管): a township's programme pays only its own
households; its staff see, export and act on their own programmes, batches and households only;
another township's records are a 404 and the services refuse them; the county sees its townships."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from core_finance.errors import FinanceRuleError
from core_finance.payroll.rules import with_check_digit
from core_finance.subsidies.models import Batch, BatchStatus, Household, Programme
from core_finance.subsidies.services import bankfile, batches
from tests.core_finance.divisions.conftest import login, towns  # noqa: F401  (fixtures)
from tests.core_finance.payroll.conftest import grant

pytestmark = pytest.mark.django_db

CLERK = ["finance_subsidies.add_batch", "finance_subsidies.view_batch", "finance_subsidies.view_programme",
         "finance_subsidies.view_household", "finance_subsidies.add_household", "finance_subsidies.change_household",
         "finance_subsidies.add_programme", "finance_subsidies.change_programme"]
CHIEF = ["finance_subsidies.approve_batch", "finance_subsidies.view_batch", "finance_subsidies.publish_batch",
         "finance_subsidies.view_programme", "finance_subsidies.view_household"]
PEOPLE = {"a": ["首善张", "首善李"], "b": ["横渠王"], "county": ["县城赵"]}


def cells(response) -> str:
    data = b"".join(response.streaming_content) if response.streaming else response.content
    book = load_workbook(io.BytesIO(data))
    return "\n".join(str(v) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for v in row)


@pytest.fixture
def farms(towns):  # noqa: F811
    """Households in each division; each township runs its own programme with an approved batch."""
    u = dict(towns["users"])
    for name in ("a_clerk", "b_clerk", "county_clerk"):
        u[name] = grant(u[name], *CLERK)
    for name in ("a_chief", "b_chief", "county_chief"):
        u[name] = grant(u[name], *CHIEF)
    households, n = {}, 0
    for key, names in PEOPLE.items():
        households[key] = []
        for name in names:
            n += 1
            households[key].append(Household.objects.create(
                head_name=name, id_number=with_check_digit(f"6103261970010{n:03d}1"), town=towns[key].name,
                village="一村", card_number=f"62170000{n:08d}", card_bank="眉县农商银行", area_mu=Decimal("4.00"),
                division=towns[key]))
    programmes, approved = {}, {}
    for key, code in (("a", "401001"), ("b", "402001"), ("county", "301001")):
        indicator = towns["issue"](code, "20000.00", econ="30305")
        programmes[key] = Programme.objects.create(
            year=2026, name=f"耕地地力保护补贴（{towns[key].name}）", legal_basis="陕财办农〔2026〕5号", basis="area",
            standard=Decimal("100.00"), indicator=indicator, payout_account=f"2701{code}", payout_bank="眉县农商银行")
    for key in ("a", "b"):
        batch = batches.create(programmes[key], "2026-H1", u[f"{key}_clerk"])
        approved[key] = batches.approve(batches.submit(batch, u[f"{key}_clerk"]), u[f"{key}_chief"])
    return {**towns, "users": u, "households": households, "programmes": programmes, "batches": approved}


def names(batch) -> set[str]:
    return set(batch.lines.values_list("household__head_name", flat=True))


def test_a_townships_programme_pays_only_its_own_households(farms):
    assert names(farms["batches"]["a"]) == set(PEOPLE["a"])
    assert names(farms["batches"]["b"]) == set(PEOPLE["b"])
    # The county's programme reaches the county and both its townships (县监管: the county pays).
    county = batches.create(farms["programmes"]["county"], "2026-H1", farms["users"]["county_clerk"])
    assert names(county) == set(PEOPLE["a"] + PEOPLE["b"] + PEOPLE["county"])
    with pytest.raises(FinanceRuleError) as refused:
        batches.create(farms["programmes"]["a"], "2026-H2", farms["users"]["a_clerk"],
                       households=[farms["households"]["b"][0]])
    assert "区划" in refused.value.text


def test_listings_and_their_exports_hold_only_the_townships_records(farms, login):  # noqa: F811
    client = login(farms["users"]["a_clerk"])
    checks = {"/admin/finance_subsidy_batches/": (farms["batches"]["a"].number, farms["batches"]["b"].number),
              "/admin/finance_subsidy_programmes/": ("首善镇", "横渠镇"),
              "/admin/finance_subsidy_households/": ("首善张", "横渠王")}
    for url, (mine, theirs) in checks.items():
        listing = client.get(url).content.decode()
        assert mine in listing and theirs not in listing, url
        exported = cells(client.get(url + "?export=xlsx"))
        assert mine in exported and theirs not in exported, url
    assert "横渠镇" not in client.get("/admin/finance_subsidy_households/?division=").content.decode()


def test_another_townships_records_are_not_found(farms, login):  # noqa: F811
    b_batch, b_home = farms["batches"]["b"], farms["households"]["b"][0]
    client = login(farms["users"]["a_chief"])
    assert client.get(f"/admin/finance/subsidies/batches/{farms['batches']['a'].pk}/").status_code == 200
    for url in (f"/admin/finance/subsidies/batches/{b_batch.pk}/", f"/admin/finance/subsidies/batches/{b_batch.pk}/bank-file/"):
        assert client.get(url).status_code == 404, url
    for action in ("publish", "reject"):
        assert client.post(f"/admin/finance/subsidies/batches/{b_batch.pk}/{action}/",
                           {"comment": "越权"}).status_code == 404
    clerk = login(farms["users"]["a_clerk"])
    assert clerk.get(f"/admin/finance_subsidy_households/edit/{farms['households']['a'][0].pk}/").status_code == 200
    for url in (f"/admin/finance_subsidy_households/edit/{b_home.pk}/",
                f"/admin/finance_subsidy_programmes/edit/{farms['programmes']['b'].pk}/"):
        assert clerk.get(url).status_code == 404, url
    assert Batch.objects.get(pk=b_batch.pk).status == BatchStatus.APPROVED and not b_batch.published_ref


def test_forms_offer_and_accept_only_the_townships_records(farms, login):  # noqa: F811
    client = login(farms["users"]["a_clerk"])
    form = client.get("/admin/finance/subsidies/batches/new/").content.decode()
    assert "首善镇" in form and "横渠镇" not in form
    before = Batch.objects.count()
    answer = client.post("/admin/finance/subsidies/batches/new/", {"programme": farms["programmes"]["b"].pk,
                                                                   "period": "2026-H2"})
    assert answer.status_code == 200 and Batch.objects.count() == before
    add = client.get("/admin/finance_subsidy_households/new/").content.decode()
    assert "首善镇" in add and "横渠镇" not in add
    client.post("/admin/finance_subsidy_households/new/", {
        "division": farms["b"].pk, "head_name": "越权户", "id_number": with_check_digit("61032619700101991"),
        "town": "横渠镇", "village": "一村", "card_number": "6217000099999999", "card_bank": "眉县农商银行",
        "area_mu": "1.00", "is_active": "on"})
    assert not Household.objects.filter(head_name="越权户").exists()


def test_the_services_refuse_another_townships_batches(farms):
    u, b_batch = farms["users"], farms["batches"]["b"]
    with pytest.raises(FinanceRuleError):
        batches.create(farms["programmes"]["b"], "2026-H2", u["a_clerk"])
    with pytest.raises(FinanceRuleError):
        bankfile.payout_file(b_batch, u["a_chief"])
    with pytest.raises(FinanceRuleError):
        batches.reject(b_batch, u["a_chief"], "越权")
    assert Batch.objects.get(pk=b_batch.pk).status == BatchStatus.APPROVED


def test_the_county_supervisor_sees_its_townships_subsidies(farms, login):  # noqa: F811
    client = login(farms["users"]["county_chief"])
    listing = client.get("/admin/finance_subsidy_batches/").content.decode()
    assert farms["batches"]["a"].number in listing and farms["batches"]["b"].number in listing
    for key in ("a", "b"):
        batch = farms["batches"][key]
        assert client.get(f"/admin/finance/subsidies/batches/{batch.pk}/").status_code == 200
        assert PEOPLE[key][0] in client.get(f"/admin/finance/subsidies/batches/{batch.pk}/bank-file/").content.decode()
    households = client.get("/admin/finance_subsidy_households/").content.decode()
    assert all(name in households for group in PEOPLE.values() for name in group)
