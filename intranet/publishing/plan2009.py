"""The bureau's 2009 plan (宝市财办信〔2009〕8号) from its transcription in the shared seed.

The transcription flattened every punctuation mark to a full stop and lost the line breaks and
the year of the document number; this restores paragraphs at the numbered headings (一 … 七) and
the numbered items, keeps the words as they are, and writes the full stops as Chinese ones.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from django.conf import settings
from django.utils.html import escape

DOC_ID = "BSCBX-2009-8"
TITLE = "关于加快宝鸡市财政信息化及金财工程建设的实施意见"
DOC_NUMBER = "宝市财办信〔2009〕8号"
ISSUER = "宝鸡市财政局办公室"
WRITTEN_ON = date(2009, 8, 24)
HEADINGS = [
    ("一", "当前我市财政信息化及金财工程建设的现状和存在问题"),
    ("二", "我市财政信息化及金财工程建设的指导思想和基本原则"),
    ("三", "我市财政信息化和金财工程建设的总体要求.主要目标和工作思路"),
    ("四", "公共基础建设"),
    ("五", "网络体系建设"),
    ("六", "财政核心应用系统建设"),
    ("七", "加快我市财政信息化及金财工程建设的主要措施"),
]
SEED_NAME = "000_5215808cb25d18c8.txt"


def seed_path() -> Path | None:
    candidates = [Path(settings.BASE_DIR).parent / "shared" / "seed" / SEED_NAME,
                  Path(__file__).resolve().parent / "seed" / SEED_NAME]
    return next((p for p in candidates if p.exists()), None)


def _sentences(text: str) -> str:
    text = re.sub(r"'([^']*)'", "“\\1”", text.strip(".")).replace(".", "。")
    return escape(text + ("。" if text and not text.endswith("。") else ""))


def _items(body: str) -> list[str]:
    """Split a section at its numbered items 1. 2. … (numbers in sequence only)."""
    paragraphs, start, expected = [], 0, 1
    for m in re.finditer(r"(?:^|\.)(\d{1,2})\.", body):
        if int(m.group(1)) != expected:
            continue
        cut = m.start() if m.group(0).startswith(".") else m.start()
        if body[start:cut].strip("."):
            paragraphs.append(body[start:cut])
        start = cut + (1 if m.group(0).startswith(".") else 0)
        expected += 1
    paragraphs.append(body[start:])
    out = []
    for p in paragraphs:
        m = re.match(r"^(\d{1,2})\.(.*)$", p.strip("."), flags=re.S)
        if m:
            out.append(f"<p>{m.group(1)}．{_sentences(m.group(2))}</p>")
        elif p.strip("."):
            out.append(f"<p>{_sentences(p)}</p>")
    return out


def to_html(raw: str) -> str:
    lines = raw.strip().splitlines()
    text = "".join(lines[1:]) if len(lines) > 1 else lines[0]
    text = text.replace("宝市财办信8号", "", 1)
    closing = re.search(r"\.?(二[0〇O零]{2}九年[一二三四五六七八九十]+月[一二三四五六七八九十]+日)\s*$", text)
    date_line = ""
    if closing:
        date_line = closing.group(1).replace("0", "〇")
        text = text[: closing.start()]
    positions = []
    for number, heading in HEADINGS:
        marker = f".{number}.{heading}"
        at = text.find(marker)
        if at < 0:
            raise ValueError(f"heading {number} not found in the seed text")
        positions.append((at, number, heading))
    html = []
    preamble = text[: positions[0][0]]
    salutation, _, rest = preamble.partition("单位.")
    html.append(f"<p>{escape(salutation.replace('.', '、'))}单位：</p>")
    html.append(f"<p>{_sentences(rest)}</p>")
    for n, (at, number, heading) in enumerate(positions):
        end = positions[n + 1][0] if n + 1 < len(positions) else len(text)
        body = text[at + len(f".{number}.{heading}"): end]
        html.append(f"<h2>{number}、{escape(heading.replace('.', '、'))}</h2>")
        html.extend(_items(body))
    html.append(f"<p>{ISSUER}</p>")
    if date_line:
        html.append(f"<p>{date_line}</p>")
    return "\n".join(html)


def load() -> str:
    path = seed_path()
    if path is None:
        raise FileNotFoundError(SEED_NAME)
    return to_html(path.read_text(encoding="utf-8"))
