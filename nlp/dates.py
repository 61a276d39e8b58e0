"""Dates as disclosures write them: 2019, April 2019, 04/2019, 2019年4月, 令和3年, 平成28年度, FY2021,
ranges (2015–2019, 2019年4月～現在, 2019年4月から2022年3月まで) and open ends (present, 現在, since 2019).

Values are ISO-like strings: "2019" or "2019-04"; an ongoing range ends with "present".
The text must be NFKC-normalized character by character (same length as the original).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from nlp.patterns import date_data

PRESENT = "present"
SAME_YEAR = "same-year"


@dataclass(frozen=True)
class DateMention:
    start: int
    end: int
    value: str  # "YYYY", "YYYY-MM" or "present"
    fiscal: bool = False


@dataclass(frozen=True)
class DateRange:
    start_char: int
    end_char: int
    start: str | None
    end: str | None
    fiscal: bool = False

    @property
    def year(self) -> int | None:
        return int(self.start[:4]) if self.start and self.start[:4].isdigit() else None


@lru_cache(maxsize=1)
def _regexes() -> dict[str, re.Pattern]:
    data = date_data()
    eras = "|".join(k for k in data["eras"] if len(k) > 1)
    months = "|".join(sorted(data["months_en"], key=len, reverse=True))
    present = "|".join(data["present"]["en"] + data["present"]["ja"])
    connectors = "|".join(re.escape(c) for c in data["range_connectors"]["en"] + data["range_connectors"]["ja"])
    return {
        "era": re.compile(rf"({eras})\s*(元|\d{{1,2}})\s*年(?:\s*(\d{{1,2}})\s*月)?(\s*度)?"),
        "era_short": re.compile(r"(?<![A-Za-z0-9])([RH])\s?(\d{1,2})[./](\d{1,2})(?![0-9])"),
        "fy": re.compile(r"(?<![A-Za-z])FY\s?'?(\d{4}|\d{2})(?![0-9])", re.I),
        "ja_year": re.compile(r"(?<![0-9])((?:19|20)\d{2})\s*年(?:\s*(\d{1,2})\s*月)?(\s*度)?"),
        "month_name": re.compile(rf"(?<![A-Za-z])({months})[a-z]*\.?\s+(?:\d{{1,2}}(?:st|nd|rd|th)?,?\s+)?((?:19|20)\d{{2}})(?![0-9])", re.I),
        "numeric_ym": re.compile(r"(?<![0-9./])((?:19|20)\d{2})[./-](\d{1,2})(?![0-9])"),
        "numeric_my": re.compile(r"(?<![0-9./])(\d{1,2})/((?:19|20)\d{2})(?![0-9])"),
        "year": re.compile(r"(?<![0-9A-Za-z/])(?<![A-Za-z]-)((?:19[5-9]|20[0-4])\d)(?![0-9])"),
        "present": re.compile(rf"(?<![A-Za-z])(?:{present})(?![A-Za-z])", re.I),
        "same_year": re.compile(r"同年度?|(?<![A-Za-z])(?:the\s+)?same\s+year(?![A-Za-z])", re.I),
        "between": re.compile(r"between\s*$", re.I),
        "connector": re.compile(rf"^\s*(?:{connectors})\s*$", re.I),
        "open_before": re.compile(r"(?:since|from|starting(?:\s+in)?|beginning(?:\s+in)?)\s*$", re.I),
        "open_after": re.compile(r"^\s*(?:から|より|～|〜|~|-|–|以降)(?!\s*(?:\d|令和|平成|昭和|[A-Za-z]{3}))"),
        "until_after": re.compile(r"^\s*(?:まで)"),
    }


def _ym(year: int, month: str | None) -> str:
    if month and month.isdigit() and 1 <= int(month) <= 12:
        return f"{year:04d}-{int(month):02d}"
    return f"{year:04d}"


def find_mentions(text: str) -> list[DateMention]:
    """Every date expression, longest first, without overlaps."""
    rx = _regexes()
    eras = date_data()["eras"]
    months = date_data()["months_en"]
    found: list[DateMention] = []
    for m in rx["era"].finditer(text):
        n = 1 if m.group(2) == "元" else int(m.group(2))
        found.append(DateMention(m.start(), m.end(), _ym(eras[m.group(1)] + n - 1, m.group(3)), bool(m.group(4))))
    for m in rx["era_short"].finditer(text):
        found.append(DateMention(m.start(), m.end(), _ym(eras[m.group(1)] + int(m.group(2)) - 1, m.group(3))))
    for m in rx["fy"].finditer(text):
        y = int(m.group(1))
        found.append(DateMention(m.start(), m.end(), f"{y + 2000 if y < 100 else y:04d}", True))
    for m in rx["ja_year"].finditer(text):
        found.append(DateMention(m.start(), m.end(), _ym(int(m.group(1)), m.group(2)), bool(m.group(3))))
    for m in rx["month_name"].finditer(text):
        found.append(DateMention(m.start(), m.end(), _ym(int(m.group(2)), str(months[m.group(1).lower()[:4] if m.group(1).lower()[:4] in months else m.group(1).lower()[:3]]))))
    for m in rx["numeric_ym"].finditer(text):
        found.append(DateMention(m.start(), m.end(), _ym(int(m.group(1)), m.group(2))))
    for m in rx["numeric_my"].finditer(text):
        found.append(DateMention(m.start(), m.end(), _ym(int(m.group(2)), m.group(1))))
    for m in rx["year"].finditer(text):
        found.append(DateMention(m.start(), m.end(), m.group(1)))
    for m in rx["present"].finditer(text):
        found.append(DateMention(m.start(), m.end(), PRESENT))
    for m in rx["same_year"].finditer(text):
        found.append(DateMention(m.start(), m.end(), SAME_YEAR))
    found.sort(key=lambda d: (d.start, -(d.end - d.start)))
    kept: list[DateMention] = []
    for mention in found:
        if kept and mention.start < kept[-1].end:
            continue
        if mention.value == SAME_YEAR:  # 同年 / "the same year": the year named just before
            earlier = [k for k in kept if k.value not in (PRESENT, SAME_YEAR)]
            if not earlier:
                continue
            mention = DateMention(mention.start, mention.end, earlier[-1].value[:4], earlier[-1].fiscal)
        kept.append(mention)
    return kept


def find_ranges(text: str, exclude: list[tuple[int, int]] = ()) -> list[DateRange]:
    """Pair mentions into ranges; a lone date after "since" or before "から"/"～" is ongoing."""
    rx = _regexes()
    mentions = [m for m in find_mentions(text) if not any(s <= m.start < e for s, e in exclude)]
    ranges: list[DateRange] = []
    i = 0
    while i < len(mentions):
        cur = mentions[i]
        if cur.value == PRESENT:
            i += 1
            continue
        nxt = mentions[i + 1] if i + 1 < len(mentions) else None
        gap = text[cur.end : nxt.start] if nxt is not None else ""
        between_and = gap.strip().lower() == "and" and rx["between"].search(text[max(0, cur.start - 12) : cur.start])
        if nxt is not None and (rx["connector"].match(gap) or between_and):
            end_value = nxt.value
            end_char = nxt.end
            tail = rx["until_after"].match(text[nxt.end :])
            if tail:
                end_char += tail.end()
            if end_value != PRESENT and len(end_value) == 2:
                end_value = cur.value[:2] + end_value
            ranges.append(DateRange(cur.start, end_char, cur.value, end_value, cur.fiscal or nxt.fiscal))
            i += 2
            continue
        ongoing = bool(rx["open_before"].search(text[max(0, cur.start - 20) : cur.start])) or bool(
            rx["open_after"].match(text[cur.end : cur.end + 12])
        )
        ranges.append(DateRange(cur.start, cur.end, cur.value, PRESENT if ongoing else None, cur.fiscal))
        i += 1
    return ranges
