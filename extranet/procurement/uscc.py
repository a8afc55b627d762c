"""Unified social credit code (统一社会信用代码), GB 32100-2015.

18 characters from the alphabet 0-9 A-H J-N P-R T U W-Y (I, O, Z, S and V are never used):
registration authority, entity type, 6-digit administrative division code, 9-character
organization code, and a check character over the first 17.
"""

from __future__ import annotations

import re

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
SHAPE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")


def check_character(first17: str) -> str:
    total = sum(ALPHABET.index(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def normalize(code: str) -> str:
    return "".join(code.split()).upper()


def is_valid(code: str) -> bool:
    code = normalize(code)
    return bool(SHAPE.match(code)) and check_character(code[:17]) == code[17]
