"""Asset demo (idempotent): the category subset, opening cards of earlier years, servers bought
with the demo's paid capital payment, an approved transfer and sale, and a scrapping to approve."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission

from core_finance.assets import services
from core_finance.assets.models import AssetCard, AssetCategory
from core_finance.models import Agency, PaymentApplication, PaymentStatus

VIEW = ["view_assetcard", "view_assetcategory", "view_assetchange"]
ROLE_PERMS = {"科员": VIEW + ["add_assetcard", "change_assetcard", "add_assetchange", "add_assetcategory",
                             "change_assetcategory"],
              "科长": VIEW + ["approve_assetchange"], "局领导": VIEW, "审计员": VIEW}
OPENING = [  # (agency, name, category, value, acquired, location, custodian)
    ("101001", "财政局办公楼", "20101", "36000000.00", dt.date(2008, 6, 30), "宝鸡市渭滨区经二路", "办公室 张伟"),
    ("101001", "公务用车 陕C·A1234", "30401", "238000.00", dt.date(2019, 3, 12), "机关车库", "办公室 李娜"),
    ("101002", "核心交换机", "30202", "186000.00", dt.date(2021, 9, 1), "信息中心机房", "信息中心 陈静"),
    ("101002", "台式计算机", "30201", "6200.00", dt.date(2018, 4, 20), "信息中心 305 室", "信息中心 陈静"),
    ("101003", "数字复印机", "30301", "32800.00", dt.date(2017, 11, 8), "国库支付中心 2 楼", "国库支付中心 王芳"),
    ("102002", "理化生实验室设备", "30502", "950000.00", dt.date(2022, 8, 25), "第一中学实验楼", "教务处"),
]


def grant() -> None:
    for role, codenames in ROLE_PERMS.items():
        group, _created = Group.objects.get_or_create(name=role)
        group.permissions.add(*Permission.objects.filter(content_type__app_label="finance_assets",
                                                         codename__in=codenames))


def load_demo():
    grant()
    services.load_categories()
    if AssetCard.objects.exists():
        return None
    User = get_user_model()
    clerk, chief = User.objects.get(username="wangfang"), User.objects.get(username="zhaolei")
    agency = {a.code: a for a in Agency.objects.all()}
    cat = {c.code: c for c in AssetCategory.objects.all()}
    cards = []
    for unit, name, code, value, acquired, location, custodian in OPENING:
        cards.append(services.register(name=name, category=cat[code], agency=agency[unit], location=location,
                                       custodian=custodian, original_value=value, acquired_on=acquired, user=clerk))
    paid = PaymentApplication.objects.filter(status=PaymentStatus.PAID, dept_econ__code__startswith="310",
                                             agency__code="101001").order_by("pk").first()
    if paid is not None:
        on = paid.voucher.paid_on or paid.created_at.date()
        for i, value in enumerate(("60000.00", "60000.00"), start=1):
            services.register(name=f"应用服务器 {i}", category=cat["30201"], agency=paid.agency,
                              location="财政局数据中心", custodian="信息中心 陈静", original_value=value,
                              acquired_on=on, payment=paid, user=clerk)
        services.register(name="应用支撑平台软件", category=cat["801"], agency=paid.agency, location="财政局数据中心",
                          custodian="信息中心 陈静", original_value="60000.00", acquired_on=on, payment=paid,
                          user=clerk)
    switch, car, copier = cards[2], cards[1], cards[4]
    move = services.request_change(switch, kind="transfer", to_agency=agency["101003"], user=clerk,
                                   reason="机房整合", effective_on=dt.date(2025, 7, 1))
    services.decide_change(move, chief, True, "同意调拨")
    sale = services.request_change(car, kind="sale", proceeds="42000.00", receiver="宝鸡市公共资源交易中心",
                                   user=clerk, reason="公车改革，公开拍卖", effective_on=dt.date(2025, 10, 15))
    services.decide_change(sale, chief, True, "同意处置")
    services.request_change(copier, kind="scrap", user=clerk, reason="使用年限已满，无法维修")
    return None
