"""Small readers that turn real data files into ``EntityRecord``s for evaluation and tests.

Why here and not ingest/: resolution must be measurable on its own, straight from the files, and
must not depend on how ingestors map them into the graph. In production the index is fed from the
graph (resolve.graph_io); these readers only serve the benchmark and tests.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

from kizuna.ids import identifier_id, make_id
from resolve.index import EntityRecord


def read_ror(path: Path) -> Iterator[EntityRecord]:
    """ROR records in schema v1 or v2 (both occur), one JSON object per line."""
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield ror_record(json.loads(line))


def ror_record(r: dict) -> EntityRecord:
    ror = r["id"].rsplit("/", 1)[-1]
    ids: dict[str, list[str]] = {"ror": [ror]}
    acronyms: list[str] = []
    if "names" in r:  # schema v2
        names, label = [], ""
        for n in r["names"]:
            if "acronym" in n["types"]:
                acronyms.append(n["value"])
            else:
                names.append(n["value"])
            if "ror_display" in n["types"]:
                label = n["value"]
        loc = (r.get("locations") or [{}])[0].get("geonames_details", {})
        city, country = loc.get("name"), loc.get("country_name")
        for ext in r.get("external_ids", []):
            ids.setdefault(ext["type"].lower(), []).extend(ext.get("all") or [])
        rels = r.get("relationships", [])
        types = r.get("types", [])
    else:  # schema v1
        label = r["name"]
        names = [r["name"], *r.get("aliases", []), *(x["label"] for x in r.get("labels", []))]
        acronyms = list(r.get("acronyms", []))
        addr = (r.get("addresses") or [{}])[0]
        city, country = addr.get("city"), (r.get("country") or {}).get("country_name")
        for scheme, ext in (r.get("external_ids") or {}).items():
            values = ext.get("all")
            ids.setdefault(scheme.lower(), []).extend(values if isinstance(values, list) else [values])
        rels = r.get("relationships", [])
        types = [t.lower() for t in r.get("types", [])]
    parents = [x["label"] for x in rels if x["type"].lower() == "parent"]
    return EntityRecord(
        entity_id=identifier_id("org", "ror", ror),
        kind="org",
        names=names,
        identifiers=ids,
        context={"city": city, "country": country, "parents": parents, "types": types},
        acronyms=acronyms,
        label=label,
    )


def _split(value: str | None, sep: str) -> list[str]:
    return [v.strip() for v in (value or "").split(sep) if v.strip()]


def read_list_entries(data: Path) -> Iterator[tuple[str, str, list[str]]]:
    """(list name, entry id, all names of the entry) for the lists of concern with aliases:
    METI End User List CSV, ASPI tracker (MISP JSON), Canada NRO JSON, DoD §1286 CSV, DoD 1260H CSV."""
    with open(data / "meti_end_user_list/meti_foreign_user_list_20250929.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            yield "meti", f"meti:{row['no']}", [row["name"], *_split(row["aliases"], "|")]
    aspi = json.loads((data / "aspi_china_defence_universities/misp_galaxy_china-defence-universities.json").read_text())
    for v in aspi["values"]:
        yield "aspi", f"aspi:{v['uuid']}", [v["value"], *v.get("meta", {}).get("aliases", [])]
    nro = json.loads((data / "canada_nro/rstoolkit_nro_organizations.json").read_text())
    for o in nro["organizations"]:
        yield "nro", f"nro:{o['id']}", [o["name"], *o.get("aliases", [])]
    seen: set[str] = set()
    with open(data / "opensanctions_repo_lists/us_dod_section1286_institutions_talent_programs.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["name"] in seen:
                continue
            seen.add(row["name"])
            yield "s1286", make_id("s1286", row["name"]), [row["name"], *_split(row["aliases"], ";")]
    with open(data / "opensanctions_repo_lists/us_dod_1260h_chinese_military_companies.csv", encoding="utf-8") as fh:
        for i, row in enumerate(csv.DictReader(fh)):
            names = [row["Clean Name"] or row["Name"], *_split(row["Alias"], ";"), *_split(row["Previous Name"], ";")]
            yield "1260h", f"1260h:{i}", names
