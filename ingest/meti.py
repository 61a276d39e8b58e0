"""Japan METI End User List (外国ユーザーリスト): the official xlsx and its CSV conversion.

Each row is an organization of concern for WMD or conventional-weapons end use; the list is
revised a few times a year, so the file's date (from its name, e.g. 20250929_4.xlsx, or
``--published``) is the version that drives start/end dates of listings."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

import openpyxl

from graph.writer import NodeRecord
from ingest.base import Fact, ReadContext, Skip, Source, clean, listing, split_names, watchlist_node
from ingest.readers import csv_rows
from kizuna.errors import SourceUnreadable
from kizuna.ids import make_id

LIST_KEY = "jp-meti-end-user-list"
_DATE_IN_NAME = re.compile(r"(20\d{2})(\d{2})(\d{2})")


def _published_from_name(ctx: ReadContext) -> None:
    match = _DATE_IN_NAME.search(ctx.path.name)
    if match:
        ctx.published = "-".join(match.groups())


def read(ctx: ReadContext) -> Iterator[tuple[str, Any]]:
    _published_from_name(ctx)
    if ctx.path.suffix.lower() in (".xlsx", ".xlsm"):
        yield from _read_xlsx(ctx)
    else:
        for locator, row in csv_rows(ctx, required=("name", "country_en")):
            yield locator, row


def _read_xlsx(ctx: ReadContext) -> Iterator[tuple[str, dict]]:
    """Streams the sheet (read-only mode) and maps the bilingual header to the CSV's fields."""
    try:
        book = openpyxl.load_workbook(ctx.path, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises zipfile/KeyError/InvalidFileException alike
        raise SourceUnreadable(f"{ctx.path.name} is not a readable xlsx workbook: {exc}") from exc
    try:
        sheet = book.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = [clean(h) for h in next(rows, ())]
        columns = {}
        for index, title in enumerate(header):
            for key, marker in (("country", "Country"), ("name", "Company"), ("aliases", "Also Known"),
                                ("wmd", "Type of WMD"), ("conventional", "Conventional")):
                if marker.lower() in title.lower():
                    columns[key] = index
        if "name" not in columns or "country" not in columns:
            raise SourceUnreadable(f"{ctx.path.name}: first sheet lacks the Company/Country columns of the METI list")
        for number, cells in enumerate(rows, 1):
            if not any(c not in (None, "") for c in cells):
                continue

            def cell(key: str) -> str:
                i = columns.get(key)
                return "" if i is None or i >= len(cells) or cells[i] is None else str(cells[i])

            country = cell("country").split("\n")
            wmd = cell("wmd").split("\n")
            yield f"sheet row {number + 1}", {
                "no": str(number),
                "country_ja": clean(country[0]),
                "country_en": clean(country[-1]),
                "name": cell("name"),
                "aliases": "|".join(a.lstrip("・").strip() for a in cell("aliases").split("\n")),
                "wmd_type_ja": clean(wmd[0]),
                "wmd_type_code": clean(wmd[-1]) if len(wmd) > 1 else "",
                "conventional_weapons": "CW" if cell("conventional") else "",
            }
    finally:
        book.close()


def convert(ctx: ReadContext, locator: str, row: dict) -> Iterable[Fact]:
    if None in row:
        raise Skip(row[None])
    name = clean(row.get("name"))
    if not name:
        raise Skip("no organization name")
    aliases = split_names(row.get("aliases"), "|")
    org_id = make_id("org", LIST_KEY, name)
    reasons = [r for r in (clean(row.get("wmd_type_code")) and f"WMD concern: {clean(row.get('wmd_type_code'))}",
                           clean(row.get("conventional_weapons")) and "conventional weapons") if r]
    yield NodeRecord(
        "Organization", org_id,
        {"name": name, "names": [name, *aliases], "country": clean(row.get("country_en")), "kind": "other"},
        ctx.ev(f"{locator} / name", name),
    )
    yield listing(ctx, org_id, locator, name, listed_name=name, entry_id=clean(row.get("no")),
                  reason="; ".join(reasons), program=clean(row.get("wmd_type_ja")))


def preamble(ctx: ReadContext) -> Iterable[Fact]:
    yield watchlist_node(ctx, LIST_KEY, "METI End User List", jurisdiction="JP",
                         authority="Ministry of Economy, Trade and Industry (METI)",
                         url="https://www.meti.go.jp/policy/anpo/law05.html", names=["外国ユーザーリスト", "End User List"])


SOURCE = Source(
    name="meti",
    title="Japan METI End User List (xlsx or CSV)",
    formats="xlsx (official), CSV (no,country_ja,country_en,name,aliases,wmd_type_ja,wmd_type_code,conventional_weapons)",
    read=read, convert=convert, preamble=preamble,
    mapped_fields=frozenset({"no", "country_ja", "country_en", "name", "aliases", "wmd_type_ja", "wmd_type_code", "conventional_weapons"}),
    licence="Japanese government publication",
    watchlist_key=LIST_KEY,
)
