"""Amounts with currency (USD 250,000; $1.2 million; 500万円; 1億2000万円; 300万元) and grant numbers.

The text must be NFKC-normalized character by character (same length as the original).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from nlp.patterns import money_data


@dataclass(frozen=True)
class Amount:
    start: int
    end: int
    value: float
    currency: str


@dataclass(frozen=True)
class GrantNumber:
    start: int
    end: int
    value: str


_NUMBER = r"(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"


@lru_cache(maxsize=1)
def _regexes() -> dict:
    data = money_data()
    prefixes = "|".join(sorted(data["prefix_currencies"], key=len, reverse=True))
    suffixes = "|".join(sorted(data["suffix_currencies"], key=len, reverse=True))
    scales = "|".join(sorted(data["scales"], key=len, reverse=True))
    return {
        "prefix": re.compile(rf"(?<![A-Za-z])({prefixes})\s?{_NUMBER}(?:\s*({scales})(?![A-Za-z]))?", re.I),
        "suffix": re.compile(rf"{_NUMBER}\s*(?:({scales})\s*)?({suffixes})(?![A-Za-z])", re.I),
        "oku_man": re.compile(r"(\d+)億(\d[\d,]*)万(円|元)"),
        "grant": [re.compile(p, re.I if i == 0 else 0) for i, p in enumerate(data["grant_numbers"])],
    }


def _lookup(table: dict, key: str):
    for pattern, value in table.items():
        if re.fullmatch(pattern, key, re.I):
            return value
    return None


def find_amounts(text: str) -> list[Amount]:
    rx = _regexes()
    data = money_data()
    found: list[Amount] = []
    for m in rx["oku_man"].finditer(text):
        value = int(m.group(1)) * 100_000_000 + int(m.group(2).replace(",", "")) * 10_000
        found.append(Amount(m.start(), m.end(), float(value), "JPY" if m.group(3) == "円" else "CNY"))
    for m in rx["prefix"].finditer(text):
        currency = _lookup(data["prefix_currencies"], m.group(1))
        scale = _lookup(data["scales"], m.group(3)) if m.group(3) else 1
        found.append(Amount(m.start(), m.end(), float(m.group(2).replace(",", "")) * scale, currency))
    for m in rx["suffix"].finditer(text):
        spec = _lookup(data["suffix_currencies"], m.group(3))
        scale = _lookup(data["scales"], m.group(2)) if m.group(2) else 1
        found.append(Amount(m.start(), m.end(), float(m.group(1).replace(",", "")) * scale * spec["multiplier"], spec["currency"]))
    found.sort(key=lambda a: (a.start, -(a.end - a.start)))
    kept: list[Amount] = []
    for amount in found:
        if kept and amount.start < kept[-1].end:
            continue
        kept.append(amount)
    return kept


def find_grant_numbers(text: str) -> list[GrantNumber]:
    found: dict[int, GrantNumber] = {}
    for regex in _regexes()["grant"]:
        for m in regex.finditer(text):
            value = m.group(1)
            if not any(ch.isdigit() for ch in value):
                continue
            if m.start(1) not in found:
                found[m.start(1)] = GrantNumber(m.start(1), m.end(1), value)
    kept: list[GrantNumber] = []
    for number in sorted(found.values(), key=lambda g: (g.start, -(g.end - g.start))):
        if not kept or number.start >= kept[-1].end:
            kept.append(number)
    return kept
