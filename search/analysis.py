"""Chinese text analysis shared by every search backend.

Chinese has no spaces between words, and the database backends (SQLite FTS5, PostgreSQL) split
text on spaces only, so text is segmented here, in Python, both when it is indexed and when it
is searched; every backend then sees the same space-separated words.

- :func:`normalize`: full-width/half-width (NFKC), traditional to simplified, lower case.
- :func:`index_tokens`: the "max word" segmentation for indexing: every word plus the dictionary
  words inside it (国库集中支付 also yields 国库, 集中支付, 支付), numbers with their unit
  (8号 and 8), and for document numbers (文号) such as 宝市财办信〔2009〕8号 the issuer code
  and its endings (宝市财办信, 财办信), the year and the serial number.
- :func:`query_tokens`: the precise segmentation of what a person typed, without stop words.
  Every token it returns is also produced by :func:`index_tokens` for the same text.

Tokens contain only letters, digits and CJK characters, so nothing a person types can reach a
backend as query syntax.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from functools import lru_cache
from pathlib import Path

import jieba
import zhconv

DATA_DIR = Path(__file__).resolve().parent / "data"
FISCAL_TERMS = DATA_DIR / "fiscal_terms.txt"
STOPWORDS = DATA_DIR / "stopwords.txt"

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# A document number: issuer code, year in brackets, serial number, e.g. 宝市财办信〔2009〕8号.
DOC_NUMBER_RE = re.compile(
    rf"([{_CJK}]{{1,20}})\s*[〔\[【(（]\s*((?:19|20)\d{{2}})\s*[〕\]】)）]\s*第?\s*(\d{{1,6}})\s*号"
)
# A number with the unit that makes it meaningful: 8号, 2009年, 3.5万元, 12%.
NUMBER_UNIT_RE = re.compile(r"(\d+(?:\.\d+)?)(万元|亿元|号|年|月|日|条|款|项|元|个|期|批|次|届|%)")
ASCII_WORD_RE = re.compile(r"[a-z0-9]+(?:[.\-_/][a-z0-9]+)*")
CJK_RUN_RE = re.compile(rf"[{_CJK}]+")
# Everything the scanner understands; anything else (punctuation, symbols) separates tokens.
_SCAN_RE = re.compile(
    rf"(?P<docno>{DOC_NUMBER_RE.pattern})"
    rf"|(?P<num>{NUMBER_UNIT_RE.pattern})"
    rf"|(?P<ascii>{ASCII_WORD_RE.pattern})"
    rf"|(?P<cjk>[{_CJK}]+)"
)
_MAX_SUBWORD = 8
_MAX_CODE_SUFFIX = 10

_lock = threading.Lock()
_tokenizer: jieba.Tokenizer | None = None


def _read_lines(path: Path) -> list[str]:
    lines = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line and not line.startswith("#"):
            lines.append(line)
    return lines


def fiscal_terms() -> list[str]:
    return [line.split()[0] for line in _read_lines(FISCAL_TERMS)]


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    return frozenset(normalize(w) for w in _read_lines(STOPWORDS))


class _Tokenizer(jieba.Tokenizer):
    """Remembers the word graph (DAG) of the last run: the max-word expansion asks for the graph of
    the run the segmenter has just cut, and building it is a third of the cost of indexing."""

    _last: tuple[str | None, dict | None] = (None, None)

    def get_DAG(self, sentence):  # noqa: N802  (jieba's name)
        last_sentence, dag = self._last
        if sentence != last_sentence:
            dag = super().get_DAG(sentence)
            self._last = (sentence, dag)
        return dag


def tokenizer() -> jieba.Tokenizer:
    """The jieba tokenizer with the fiscal dictionary (built once per process, ~1 s)."""
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                jieba.setLogLevel(logging.WARNING)
                tk = _Tokenizer()
                tk.initialize()
                for line in _read_lines(FISCAL_TERMS):
                    parts = line.split()
                    freq = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
                    tk.add_word(normalize(parts[0]), freq, parts[2] if len(parts) > 2 else None)
                _tokenizer = tk
    return _tokenizer


_FULL_WIDTH = re.compile("[\uff01-\uff5e\u3000]")


def _half_width(match: re.Match) -> str:
    ch = match.group()
    return " " if ch == "\u3000" else chr(ord(ch) - 0xFEE0)


def nfkc(text: str) -> str:
    """``unicodedata.normalize("NFKC", text)``, three times faster on Chinese text: its usual
    compatibility characters are full-width forms (，：（）０-９Ａ-Ｚ), which map one to one onto
    ASCII; when anything else is left to normalize, NFKC itself does it."""
    narrowed = _FULL_WIDTH.sub(_half_width, text)
    return narrowed if unicodedata.is_normalized("NFKC", narrowed) else unicodedata.normalize("NFKC", text)


def normalize(text: str) -> str:
    """Full-width to half-width (NFKC), traditional to simplified, lower case."""
    if not text:
        return ""
    text = nfkc(text)
    text = zhconv.convert(text, "zh-cn")
    return text.lower()


def normalize_with_offsets(text: str) -> tuple[str, list[int]]:
    """Normalized text plus, for each of its characters, the offset in ``text`` it came from.

    Character by character, so highlighting can map matches back onto the original text.
    """
    whole = normalize(text)
    if len(whole) == len(text):
        return whole, list(range(len(text)))
    out, offsets = [], []
    for i, ch in enumerate(text):
        n = normalize(ch)
        out.append(n)
        offsets.extend([i] * len(n))
    return "".join(out), offsets


def _cjk_words(run: str, *, expand: bool):
    tk = tokenizer()
    words = [w for w in tk.cut(run, HMM=True) if w.strip()]
    if not expand:
        yield from words
        return
    # Max-word: the segmenter's words, plus every dictionary word anywhere in the run, also
    # across the segmenter's word boundaries (生均/公用/经费 still yields 公用经费), so a
    # query word is found whatever the context did to the segmentation of the document.
    yield from words
    seen = set(words)
    dag = tk.get_DAG(run)
    for start in range(len(run)):
        for end in dag.get(start, ()):
            if 1 <= end - start < _MAX_SUBWORD:
                word = run[start:end + 1]
                if word not in seen:
                    seen.add(word)
                    yield word


def _code_suffixes(code: str):
    """Endings of an issuer code: 宝市财办信 -> 财办信, 办信, ... so each can be typed alone."""
    for start in range(1, len(code) - 1):
        suffix = code[start:]
        if len(suffix) <= _MAX_CODE_SUFFIX:
            yield suffix


def _scan(text: str, *, expand: bool):
    for m in _SCAN_RE.finditer(text):
        if m.group("docno"):
            code, year, serial = m.group(2), m.group(3), m.group(4)
            yield from _cjk_words(code, expand=expand)
            if expand and len(code) <= _MAX_CODE_SUFFIX * 2:
                yield code
                yield from _code_suffixes(code)
            yield year
            yield f"{serial}号"
            if expand:
                yield serial
        elif m.group("num"):
            number, unit = m.group(6), m.group(7)
            if expand or unit != "年":
                yield number + unit
            # A year is as specific without its unit: "2009年" also finds 〔2009〕.
            if expand or unit == "年":
                yield number
        elif m.group("ascii"):
            word = m.group("ascii")
            yield word
            if expand and not word.isalnum():
                yield from (p for p in re.split(r"[.\-_/]", word) if p)
        else:
            yield from _cjk_words(m.group("cjk"), expand=expand)


def index_tokens(text: str) -> list[str]:
    """All tokens to index for ``text``, in order (duplicates kept: they count for ranking)."""
    stop = stopwords()
    return [t for t in _scan(normalize(text), expand=True) if t not in stop]


def segment(text: str) -> str:
    """``text`` as space-separated index tokens: what every backend stores."""
    return " ".join(index_tokens(text))


def query_tokens(text: str) -> list[str]:
    """The distinct tokens of a query, in order, without stop words."""
    stop = stopwords()
    seen: dict[str, None] = {}
    for token in _scan(normalize(text), expand=False):
        if token not in stop:
            seen.setdefault(token, None)
    return list(seen)


def parse_doc_number(text: str) -> tuple[str, int, int] | None:
    """(issuer code, year, serial) of the first document number in ``text``, if any."""
    m = DOC_NUMBER_RE.search(normalize(text))
    if not m:
        return None
    return m.group(1), int(m.group(2)), int(m.group(3))
