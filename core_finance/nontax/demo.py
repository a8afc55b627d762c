"""Demo non-tax revenue (idempotent): collection items with their standards and legal basis,
payment notices, one collection file from the simulated agent bank (with a late payment and a
repeated line), an approved refund, a remittance into the special account and one to the treasury
awaiting approval."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from core_finance.demo import _users
from core_finance.models import Agency
from core_finance.nontax import banksim, collection, services
from core_finance.nontax.models import CollectionItem, PaymentNotice
from core_finance.services.base import today
from core_finance.special_accounts import demo as special_demo
from core_finance.special_accounts.models import SpecialAccount

VIEW = [f"view_{m}" for m in ("collectionitem", "paymentnotice", "settlement", "collectionfile", "duplicateline",
                              "refund", "remittancebatch")]
ROLE_PERMS = {
    "科员": VIEW + ["add_paymentnotice", "change_paymentnotice", "add_collectionfile", "add_refund",
                   "add_remittancebatch"],
    "科长": VIEW + ["approve_refund", "approve_remittancebatch", "add_collectionitem", "change_collectionitem",
                   "add_collectionfile", "add_paymentnotice", "add_refund"],
    "局领导": VIEW + ["approve_remittancebatch"],
    "审计员": VIEW,
}
AGENCIES = {  # the collecting agencies (执收单位): name -> code
    "宝鸡市自然资源局": "110", "宝鸡市城市管理执法局": "111", "宝鸡市公安局交通警察支队": "112"}
ITEMS = [  # code, name, agency, kind, fixed, min, max, basis, target
    ("1030101", "不动产登记费", "宝鸡市自然资源局", "fixed", "80.00", None, None,
     "《国家发展改革委 财政部关于不动产登记收费标准等有关问题的通知》（发改价格规〔2016〕2559号）", "treasury"),
    ("1030102", "城镇垃圾处理费", "宝鸡市城市管理执法局", "range", None, "5.00", "50000.00",
     "《城市生活垃圾处理收费管理办法》及《宝鸡市城镇垃圾处理费征收管理办法》", "treasury"),
    ("1030601", "国有资源（资产）有偿使用收入（户外广告位使用费）", "宝鸡市城市管理执法局", "range", None, "1000.00",
     "500000.00", "《陕西省非税收入管理条例》第十二条", "special"),
    ("1030501", "交通违法罚没收入", "宝鸡市公安局交通警察支队", "fixed", "200.00", None, None,
     "《中华人民共和国道路交通安全法》第九十条", "treasury"),
]
PAYERS = [  # item code, payer, id, amount, days before today the notice fell due
    ("1030101", "李明", "610302198805120031", None, 10),
    ("1030102", "宝鸡渭滨商贸有限公司", "91610302MA6X12345K", "1260.00", -20),
    ("1030601", "陕西秦风传媒广告有限公司", "91610300MA6Y67890L", "36000.00", 20),
    ("1030501", "张强", "610303199001013312", None, 15),
    ("1030101", "王静", "610304199203150028", None, -5),
]


def grant() -> None:
    for role, codenames in ROLE_PERMS.items():
        group, _created = Group.objects.get_or_create(name=role)
        group.permissions.add(*Permission.objects.filter(content_type__app_label="finance_nontax",
                                                         codename__in=codenames))


def load_demo():
    special_demo.load_demo()
    grant()
    users = _users()
    clerk, chief = users["wangfang"], users["zhaolei"]
    if PaymentNotice.objects.exists():
        return None
    special = SpecialAccount.objects.get(account_no=special_demo.ACCOUNTS[0][2])
    now = today()
    with transaction.atomic():
        agencies = {name: Agency.objects.get_or_create(code=code, defaults={"name": name, "is_department": True})[0]
                    for name, code in AGENCIES.items()}
        for code, name, agency, kind, fixed, low, high, basis, target in ITEMS:
            CollectionItem.objects.get_or_create(code=code, defaults={
                "name": name, "agency": agencies[agency], "standard_kind": kind, "fixed_amount": Decimal(fixed) if fixed else None,
                "min_amount": Decimal(low) if low else None, "max_amount": Decimal(high) if high else None,
                "legal_basis": basis, "target": target, "special_account": special if target == "special" else None})
        notices = [services.issue_notice(CollectionItem.objects.get(code=code), payer_name=payer, payer_id=pid,
                                         amount=amount, due_date=now - dt.timedelta(days=-offset), user=clerk)
                   for code, payer, pid, amount, offset in PAYERS]
        # The first three paid at the bank five days ago (the second one fifteen days late); the bank sent the
        # first line twice, which is recorded as a duplicate and not counted.
        _name, text = collection.notice_file("ICBC")
        paid = {n.payment_code for n in notices[:3]}
        result = banksim.simulate(text, (now - dt.timedelta(days=5)).isoformat(), pay=paid,
                                  repeat={notices[0].payment_code})
        collection.import_collection_file(result.encode("utf-8"), f"NTX_COLLECT_ICBC_{now:%Y%m%d}.csv", chief)
        refund = services.request_refund(notices[1], "260.00", "核定垃圾清运量调减，多缴部分退还", clerk)
        services.decide_refund(refund, chief, True)
        batch = services.create_batch("special", clerk, special_account=special)
        services.decide_batch(batch, chief, True)
        services.create_batch("treasury", clerk)
    return None
