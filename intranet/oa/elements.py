"""The elements of an official document (GB/T 9704-2012) and the rules between them.

The 15 document types are those of the 党政机关公文处理工作条例 (art. 8). The element rules are
checked before a draft leaves its drafter and again before it is signed, so a document that
reaches the signer is complete.
"""

from __future__ import annotations

import re

from django.db import models
from django.utils.translation import gettext_lazy as _


class DocType(models.TextChoices):
    RESOLUTION = "resolution", _("Resolution")  # 决议
    DECISION = "decision", _("Decision")  # 决定
    ORDER = "order", _("Order")  # 命令（令）
    COMMUNIQUE = "communique", _("Communique")  # 公报
    ANNOUNCEMENT = "announcement", _("Announcement")  # 公告
    PUBLIC_NOTICE = "public_notice", _("Public notice")  # 通告
    OPINION = "opinion", _("Opinion")  # 意见
    NOTICE = "notice", _("Notice")  # 通知
    CIRCULAR = "circular", _("Circular")  # 通报
    REPORT = "report", _("Report")  # 报告
    REQUEST = "request", _("Request for instructions")  # 请示
    REPLY = "reply", _("Reply")  # 批复
    MOTION = "motion", _("Motion")  # 议案
    LETTER = "letter", _("Letter")  # 函
    MINUTES = "minutes", _("Minutes")  # 纪要


class Direction(models.TextChoices):
    UPWARD = "up", _("Upward (to a higher authority)")  # 上行文
    PARALLEL = "parallel", _("Parallel")  # 平行文
    DOWNWARD = "down", _("Downward")  # 下行文


# Types that are by nature addressed upward; their direction is fixed.
UPWARD_TYPES = {DocType.REPORT, DocType.REQUEST, DocType.MOTION}
# Types that are published to the public at large and carry no 主送机关.
NO_RECIPIENT_TYPES = {DocType.COMMUNIQUE, DocType.ANNOUNCEMENT, DocType.PUBLIC_NOTICE, DocType.MINUTES,
                      DocType.ORDER, DocType.RESOLUTION}


class Secrecy(models.TextChoices):
    NONE = "", _("Not classified")
    SECRET = "secret", _("Secret")  # 秘密
    CONFIDENTIAL = "confidential", _("Confidential")  # 机密
    TOP_SECRET = "top_secret", _("Top secret")  # 绝密


SECRECY_MARK = {"secret": "秘密", "confidential": "机密", "top_secret": "绝密"}


class Urgency(models.TextChoices):
    NORMAL = "", _("Normal")
    URGENT = "urgent", _("Urgent")  # 加急
    VERY_URGENT = "very_urgent", _("Very urgent")  # 特急


URGENCY_MARK = {"urgent": "加急", "very_urgent": "特急"}


class Disclosure(models.TextChoices):
    PUBLIC = "public", _("Active disclosure")  # 主动公开
    ON_REQUEST = "on_request", _("Disclosure on request")  # 依申请公开
    NOT_PUBLIC = "not_public", _("Not disclosed")  # 不予公开


class Retention(models.TextChoices):
    PERMANENT = "permanent", _("Permanent")  # 永久
    YEARS_30 = "30y", _("30 years")
    YEARS_10 = "10y", _("10 years")


class ArchiveCategory(models.TextChoices):
    GENERAL = "general", _("General administration")
    BUDGET = "budget", _("Budget")
    TREASURY = "treasury", _("Treasury")
    PROCUREMENT = "procurement", _("Government procurement")
    INFORMATION = "information", _("Informatization")


AGENCY_CODE_RE = re.compile(r"^[\u4e00-\u9fff]{2,12}$")
COPY_NUMBER_RE = re.compile(r"^\d{6}$")
SECRECY_PERIOD_RE = re.compile(r"^(\d{1,2}年|\d{1,2}个月|长期)$")


def default_direction(doc_type: str) -> str:
    if doc_type in UPWARD_TYPES:
        return Direction.UPWARD
    if doc_type == DocType.LETTER:
        return Direction.PARALLEL
    return Direction.DOWNWARD


def format_number(agency_code: str, year: int | None, number: int | None) -> str:
    """发文字号 as printed: 机关代字〔年份〕序号号, e.g. 宝市财办信〔2009〕8号."""
    if not (agency_code and year and number):
        return ""
    return f"{agency_code}〔{year}〕{number}号"


def element_problems(doc, *, for_signing: bool = False) -> list[str]:
    """Every GB/T 9704 rule the document breaks, in Chinese-ready translated sentences."""
    p = []
    if not doc.title.strip():
        p.append(_("The title (标题) is required."))
    if not doc.body.strip():
        p.append(_("The body (正文) is required."))
    if doc.doc_type not in NO_RECIPIENT_TYPES and not doc.main_recipients.strip():
        p.append(_("The main recipients (主送机关) are required for this document type."))
    if doc.doc_type in UPWARD_TYPES and doc.direction != Direction.UPWARD:
        p.append(_("Reports, requests and motions are always upward documents."))
    if doc.doc_type == DocType.REQUEST and "、" in doc.main_recipients:
        p.append(_("A request for instructions has exactly one main recipient (一文一事，主送一个机关)."))
    if not AGENCY_CODE_RE.match(doc.agency_code or ""):
        p.append(_("The agency code (机关代字) must be 2 to 12 Chinese characters."))
    if not doc.issuing_agency.strip():
        p.append(_("The issuing agency mark (发文机关标志) is required."))
    if not doc.signature_agency.strip():
        p.append(_("The issuing agency signature (发文机关署名) is required."))
    if doc.secrecy:
        if not COPY_NUMBER_RE.match(doc.copy_number or ""):
            p.append(_("A classified document needs a six-digit copy number (份号)."))
        if doc.secrecy_period and not SECRECY_PERIOD_RE.match(doc.secrecy_period):
            p.append(_("The secrecy period (保密期限) must look like 1年, 6个月 or 长期."))
        if doc.disclosure == Disclosure.PUBLIC:
            p.append(_("A classified document can not be marked for active disclosure."))
    elif doc.secrecy_period:
        p.append(_("A secrecy period (保密期限) needs a classification (密级)."))
    if doc.copy_number and not COPY_NUMBER_RE.match(doc.copy_number):
        p.append(_("The copy number (份号) has six digits, e.g. 000001."))
    if for_signing and doc.direction == Direction.UPWARD and not doc.signer_name:
        p.append(_("An upward document needs its signer (签发人)."))
    return [str(x) for x in p]
