"""Numbers as Chinese news writes them: 82.3, 5,100, 3万, 1.6万, 12亿, 三万, 一千二百, 两百.

`parse_number` reads the digits (Arabic or Chinese numerals) and multiplies out 十/百/千/万/亿;
callers find the number in the text with `NUMBER` (the regex fragment below).
"""

from __future__ import annotations

import re
from decimal import Decimal

DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
LARGE_UNITS = {"万": 10_000, "亿": 100_000_000}
MULTIPLIERS = {"万亿": 1e12, "亿": 1e8, "千万": 1e7, "百万": 1e6, "万": 1e4, "千": 1e3, "百": 1e2}
CHINESE = "零〇一二两三四五六七八九十百千万亿"
# Arabic digits with optional thousands separators and decimals, or a Chinese numeral that holds a
# place unit (a bare 一/两 is a determiner far more often than a quantity: 一家企业, 两个维护).
NUMBER = r"(?:\d+(?:,\d{3})*(?:\.\d+)?|(?:[零〇一二两三四五六七八九]+[十百千万亿]|十)[零〇一二两三四五六七八九十百千万亿]*)"
_ARABIC = re.compile(r"^\d+(?:,\d{3})*(?:\.\d+)?$")


def chinese_number(text: str) -> float:
    """一千二百三十四 → 1234, 十二 → 12, 三万五千 → 35000, 一亿二千万 → 120000000."""
    if not text or any(ch not in CHINESE for ch in text):
        raise ValueError(f"not a Chinese numeral: {text!r}")
    total, section, digit = 0, 0, None
    for ch in text:
        if ch in DIGITS:
            digit = DIGITS[ch]
        elif ch in SMALL_UNITS:
            section += (1 if digit is None else digit) * SMALL_UNITS[ch]
            digit = None
        else:  # 万 or 亿 closes a section
            section += digit or 0
            total = (total + section) * LARGE_UNITS[ch] if ch == "亿" else total + section * LARGE_UNITS[ch]
            section, digit = 0, None
    return float(total + section + (digit or 0))


def parse_number(digits: str, multiplier: str = "") -> float:
    """The value of a number as written plus an optional multiplier (万, 亿, 万亿…)."""
    digits = digits.strip()
    if multiplier and multiplier not in MULTIPLIERS:
        raise ValueError(f"unknown multiplier {multiplier!r}")
    scale = int(MULTIPLIERS[multiplier]) if multiplier else 1
    if _ARABIC.match(digits):  # in decimal: 1.1亿 is 110000000, not 1.1 × 1e8 = 110000000.00000001
        return float(Decimal(digits.replace(",", "")) * scale)
    return chinese_number(digits) * scale
