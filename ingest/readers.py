"""File readers shared by the ingestors: each yields (locator, raw record) and raises
SourceUnreadable when the file as a whole cannot be read (wrong encoding, missing columns,
broken JSON or XML). XML is parsed with defusedxml: no DTD entity expansion, no network."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any

import yaml
from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET

from ingest.base import ReadContext
from kizuna.errors import SourceUnreadable

csv.field_size_limit(10 * 1024 * 1024)


def _text(ctx: ReadContext) -> io.TextIOWrapper:
    # utf-8-sig drops a BOM; newline='' is what the csv module wants.
    return ctx.path.open("r", encoding="utf-8-sig", newline="")


def csv_rows(ctx: ReadContext, *, required: Iterable[str], delimiter: str = ",", any_of: Iterable[str] = ()) -> Iterator[tuple[str, dict[str, str]]]:
    """Rows of a delimited file as dicts keyed by trimmed header names.

    The header must contain ``required`` (and one of ``any_of`` if given), else the file is
    unreadable. A row with more cells than the header is yielded with key None so that the
    converter reports it; undecodable bytes make the whole file unreadable."""
    try:
        with _text(ctx) as fh:
            reader = csv.reader(fh, delimiter=delimiter)
            try:
                header = [h.strip() for h in next(reader)]
            except StopIteration:
                raise SourceUnreadable(f"{ctx.path.name} is empty") from None
            missing = [c for c in required if c not in header]
            any_of = list(any_of)
            if missing or (any_of and not any(c in header for c in any_of)):
                raise SourceUnreadable(
                    f"{ctx.path.name} lacks the column(s) {', '.join(missing or any_of)} of a {ctx.source.title} file"
                )
            for cells in reader:
                if not any(c.strip() for c in cells):
                    continue
                row: dict[Any, Any] = dict(zip(header, cells))
                if len(cells) != len(header):
                    row[None] = f"{len(cells)} cells where the header has {len(header)}"
                yield f"line {reader.line_num}", row
    except UnicodeDecodeError as exc:
        raise SourceUnreadable(f"{ctx.path.name} is not UTF-8 text: {exc.reason} at byte {exc.start}") from exc
    except csv.Error as exc:
        raise SourceUnreadable(f"{ctx.path.name}: {exc}") from exc


def json_lines(ctx: ReadContext) -> Iterator[tuple[str, str]]:
    """Lines of a JSON-lines file, undecoded: a bad line is a bad record, not a bad file."""
    try:
        with _text(ctx) as fh:
            for number, line in enumerate(fh, 1):
                if line.strip():
                    yield f"line {number}", line
    except UnicodeDecodeError as exc:
        raise SourceUnreadable(f"{ctx.path.name} is not UTF-8 text: {exc.reason} at byte {exc.start}") from exc


def decode_line(line: str) -> Any:
    from ingest.base import Skip

    try:
        return json.loads(line)
    except json.JSONDecodeError as exc:
        raise Skip(f"invalid JSON: {exc.msg} at column {exc.colno}") from None


def json_document(ctx: ReadContext) -> Any:
    """A whole JSON document (small files: lists, single API responses)."""
    try:
        with _text(ctx) as fh:
            return json.load(fh)
    except json.JSONDecodeError as exc:
        raise SourceUnreadable(f"{ctx.path.name} is not valid JSON: {exc.msg} at line {exc.lineno}") from exc
    except UnicodeDecodeError as exc:
        raise SourceUnreadable(f"{ctx.path.name} is not UTF-8 text: {exc.reason}") from exc


def yaml_document(ctx: ReadContext) -> Any:
    try:
        with _text(ctx) as fh:
            return yaml.safe_load(fh)
    except yaml.YAMLError as exc:
        raise SourceUnreadable(f"{ctx.path.name} is not valid YAML: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise SourceUnreadable(f"{ctx.path.name} is not UTF-8 text: {exc.reason}") from exc


def xml_elements(ctx: ReadContext, tag: str) -> Iterator[tuple[str, Any]]:
    """Stream the elements whose local name is ``tag`` (bounded memory: each is cleared after
    use). Entity declarations are refused (defusedxml), so no expansion bombs or external files."""
    count = 0
    try:
        for _event, elem in SafeET.iterparse(str(ctx.path), events=("end",), forbid_dtd=True):
            if local(elem.tag) == tag:
                count += 1
                yield f"{tag}[{count}]", elem
                elem.clear()
    except SafeET.ParseError as exc:
        raise SourceUnreadable(f"{ctx.path.name} is not well-formed XML: {exc}") from exc
    except DefusedXmlException as exc:
        raise SourceUnreadable(f"{ctx.path.name} declares a DTD or entities, refused for safety: {exc}") from exc


def local(tag: str) -> str:
    """'{http://www.orcid.org/ns/common}name' -> 'name'."""
    return tag.rsplit("}", 1)[-1]


def xml_to_dict(elem: Any) -> Any:
    """An element as nested dicts keyed by local names (lists for repeated children), text as
    'value', attributes as '@name': lets one converter handle the JSON and XML of a source."""
    children = list(elem)
    if not children and not elem.attrib:
        return (elem.text or "").strip()
    out: dict[str, Any] = {f"@{local(k)}": v for k, v in elem.attrib.items()}
    text = (elem.text or "").strip()
    if text:
        out["value"] = text
    for child in children:
        key = local(child.tag)
        value = xml_to_dict(child)
        if key in out:
            if not isinstance(out[key], list):
                out[key] = [out[key]]
            out[key].append(value)
        else:
            out[key] = value
    return out
