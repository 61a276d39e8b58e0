"""Every Source Kizuna can ingest, by the name used on the command line."""

from __future__ import annotations

from ingest import aspi, cps, csl, dod1260h, dod1286, dpl, ftm, grants, meti, nro, openalex, orcid, regolith, ror, userlist
from ingest.base import Source
from kizuna.errors import InvalidInput

SOURCES: dict[str, Source] = {
    s.name: s
    for s in (
        ftm.SOURCE, csl.SOURCE, dpl.SOURCE, dod1286.SOURCE, dod1260h.SOURCE, meti.SOURCE, nro.SOURCE, userlist.SOURCE,
        aspi.SOURCE, ror.SOURCE, ror.FUNDREF, orcid.SOURCE, openalex.SOURCE, grants.NSF, grants.NIH, grants.KAKEN, cps.SOURCE,
        regolith.SOURCE,
    )
}


def get_source(name: str) -> Source:
    try:
        return SOURCES[name]
    except KeyError:
        raise InvalidInput(f"unknown source {name!r}", hint="one of: " + ", ".join(SOURCES)) from None
