"""Debt-service codes of the 2026 government expenditure classification (债务还本/付息支出), in the
code-table import format; loaded beside core finance's subset so debt-service indicators exist.
Principal has no departmental economic code of its own: its indicators use 39999 其他支出, which
maps to the government economic code 51201 国内债务还本."""

DEBT_CODES_CSV = """\
年度,代码表,编码,名称,支付方式类别,对应政府经济分类
2026,功能分类,231,债务还本支出,,
2026,功能分类,23103,地方政府一般债务还本支出,,
2026,功能分类,2310301,地方政府一般债券还本支出,,
2026,功能分类,2310302,地方政府向外国政府借款还本支出,,
2026,功能分类,232,债务付息支出,,
2026,功能分类,23203,地方政府一般债务付息支出,,
2026,功能分类,2320301,地方政府一般债券付息支出,,
2026,功能分类,2320302,地方政府向外国政府借款付息支出,,
2026,政府经济分类,511,债务利息及费用支出,,
2026,政府经济分类,51101,国内债务付息,,
2026,政府经济分类,512,债务还本支出,,
2026,政府经济分类,51201,国内债务还本,,
2026,部门经济分类,307,债务利息及费用支出,,
2026,部门经济分类,30701,国内债务付息,,51101
2026,部门经济分类,399,其他支出,,
2026,部门经济分类,39999,其他支出,,51201
"""

PRINCIPAL_PREFIX, INTEREST_PREFIX = "231", "232"  # 债务还本支出, 债务付息支出
DEBT_SERVICE_PREFIXES = (PRINCIPAL_PREFIX, INTEREST_PREFIX)


def debt_codes_csv(year: int = 2026) -> bytes:
    return DEBT_CODES_CSV.replace("\n2026,", f"\n{year},").encode("utf-8")
