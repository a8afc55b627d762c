"""URLs of the finance staff screens, mounted by wagtail_hooks under /admin/finance/."""

from django.urls import path

from core_finance.views import bank, budget, codes, disclosure, indicators, ledger, payments, reports

app_name = "core_finance"

urlpatterns = [
    path("codes/transfer/", codes.transfer, name="codes_transfer"),
    path("codes/export/<int:year>/<str:fmt>/", codes.export, name="codes_export"),
    path("budget/new/", budget.create_version, name="budget_new"),
    path("budget/<int:pk>/", budget.detail, name="budget_detail"),
    path("budget/<int:pk>/lines/", budget.add_line, name="budget_add_line"),
    path("budget/<int:pk>/lines/<int:line_pk>/remove/", budget.remove_line, name="budget_remove_line"),
    path("budget/<int:pk>/import/", budget.import_lines, name="budget_import"),
    path("budget/<int:pk>/template.xlsx", budget.template, name="budget_template"),
    path("budget/<int:pk>/<str:action>/", budget.act, name="budget_act"),
    path("indicators/<int:pk>/", indicators.detail, name="indicator_detail"),
    path("indicators/<int:pk>/balance.json", indicators.balance_json, name="indicator_balance"),
    path("indicators/<int:pk>/adjust/", indicators.adjust, name="indicator_adjust"),
    path("indicators/<int:pk>/freeze/", indicators.freeze, name="indicator_freeze"),
    path("indicators/<int:pk>/plans/", indicators.add_plan, name="plan_add"),
    path("indicators/<int:pk>/plans/annual/", indicators.annual_plan, name="plan_annual"),
    path("indicators/<int:pk>/plans/approve/", indicators.approve_plans, name="plan_approve_all"),
    path("indicators/<int:pk>/plans/<int:plan_pk>/decide/", indicators.decide_plan, name="plan_decide"),
    path("adjustments/<int:pk>/", indicators.adjustment_detail, name="adjustment_detail"),
    path("adjustments/<int:pk>/decide/", indicators.decide_adjustment, name="adjustment_decide"),
    path("payments/new/", payments.create, name="payment_new"),
    path("payments/<int:pk>/", payments.detail, name="payment_detail"),
    path("payments/<int:pk>/decide/", payments.decide, name="payment_decide"),
    path("payments/<int:pk>/refund/", payments.refund, name="payment_refund"),
    path("bank/", bank.overview, name="bank"),
    path("bank/export/<str:code>/", bank.export, name="bank_export"),
    path("bank/upload/", bank.upload, name="bank_upload"),
    path("bank/incoming/", bank.pick_up, name="bank_pick_up"),
    path("bank/files/<int:pk>/", bank.file_download, name="bank_file"),
    path("ledger/", ledger.overview, name="ledger"),
    path("ledger/close/", ledger.close, name="ledger_close"),
    path("ledger/entries/<int:pk>/", ledger.entry, name="journal_entry"),
    path("ledger/entries/<int:pk>/reverse/", ledger.reverse_entry, name="journal_reverse"),
    path("reports/execution/", reports.execution, name="execution"),
    path("reports/vouchers/", reports.drill, name="drill"),
    path("reports/leaders/", reports.leaders, name="leaders"),
    path("disclosure/", disclosure.overview, name="disclosure"),
    path("disclosure/<int:pk>/", disclosure.detail, name="dataset_detail"),
    path("disclosure/<int:pk>/package.zip", disclosure.package, name="dataset_package"),
    path("disclosure/<int:pk>/<str:action>/", disclosure.act, name="dataset_act"),
]
