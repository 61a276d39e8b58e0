"""FollowTheMoney entities, one JSON object per line (OpenSanctions and yente exports).

Things (Person, Organization, Company, LegalEntity, PublicBody) become nodes; interval
entities become relationships: Ownership -> OWNED_BY (share), Directorship, Employment and
Membership -> AFFILIATED_WITH (from a Person) or PART_OF (between organizations), Payment ->
FUNDED_BY. A ``target`` entity is LISTED_ON the Watchlist of each dataset it belongs to; a
Sanction entity adds its program, reason and dates to that listing."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from graph.writer import NodeRecord
from ingest.base import Fact, ReadContext, Skip, Source, clean, iso_date, list_watchlist_id, listing, rel
from ingest.readers import decode_line, json_lines
from kizuna.ids import make_id

FIELDS = frozenset({"id", "schema", "properties", "datasets", "target", "caption", "referents", "first_seen", "last_seen", "last_change"})
ORG_KINDS = {"Company": "company", "PublicBody": "government_body", "Organization": "other", "LegalEntity": "other"}
NAME_PROPS = ("name", "alias", "previousName", "weakAlias", "abbreviation")
AFFILIATION = {"Directorship": ("director", "organization", "director"), "Employment": ("employee", "employer", "employee"),
               "Membership": ("member", "organization", "member")}


def _node_id(ftm_id: str) -> str:
    """FtM ids are unique across schemata, and an Ownership names its owner before we know
    whether it is a Person or a Company, so FtM nodes share one schema-free prefix."""
    return make_id("ent", "ftm", ftm_id)


def read(ctx: ReadContext) -> Iterator[tuple[str, Any]]:
    yield from json_lines(ctx)


def _first(props: dict, key: str) -> str:
    values = props.get(key) or []
    return clean(values[0]) if values else ""


def convert(ctx: ReadContext, locator: str, line: Any) -> Iterable[Fact]:
    entity = decode_line(line)
    if not isinstance(entity, dict) or not entity.get("id") or not entity.get("schema"):
        raise Skip("not an FtM entity (needs id and schema)")
    schema, props = entity["schema"], entity.get("properties") or {}
    if not isinstance(props, dict):
        raise Skip("properties is not an object")
    node_id = _node_id(entity["id"])
    names = [clean(n) for p in NAME_PROPS for n in props.get(p) or []]
    if schema == "Person":
        yield NodeRecord("Person", node_id, {"name": clean(entity.get("caption")) or (names[0] if names else ""),
                         "names": names, "given_name": _first(props, "firstName"), "family_name": _first(props, "lastName")},
                         ctx.ev(f"{locator} $.properties.name", entity.get("caption")))
    elif schema in ORG_KINDS:
        yield NodeRecord("Organization", node_id, {"name": clean(entity.get("caption")) or (names[0] if names else ""),
                         "names": names, "kind": ORG_KINDS[schema], "country": _first(props, "jurisdiction") or _first(props, "country")},
                         ctx.ev(f"{locator} $.properties.name", entity.get("caption")))
    elif schema == "Ownership":
        owner, asset = _first(props, "owner"), _first(props, "asset")
        if not owner or not asset:
            raise Skip("Ownership without owner or asset")
        share = _first(props, "percentage").rstrip("%")
        yield rel(ctx, "OWNED_BY", _node_id(asset), _node_id(owner), f"{locator} $.properties", entity.get("caption"),
                  key=entity["id"], share=float(share) if share else None,
                  start=iso_date(_first(props, "startDate")), end=iso_date(_first(props, "endDate")))
    elif schema in AFFILIATION:
        who_key, org_key, role = AFFILIATION[schema]
        who, org = _first(props, who_key), _first(props, org_key)
        if not who or not org:
            raise Skip(f"{schema} without {who_key} or {org_key}")
        yield rel(ctx, "AFFILIATED_WITH", _node_id(who), _node_id(org), f"{locator} $.properties", entity.get("caption"),
                  key=entity["id"], role=_first(props, "role") or role, role_normalized=role,
                  start=iso_date(_first(props, "startDate")), end=iso_date(_first(props, "endDate")))
    elif schema == "Payment":
        payer, beneficiary = _first(props, "payer"), _first(props, "beneficiary")
        if not payer or not beneficiary:
            raise Skip("Payment without payer or beneficiary")
        amount = _first(props, "amount")
        yield rel(ctx, "FUNDED_BY", _node_id(beneficiary), _node_id(payer), f"{locator} $.properties", _first(props, "purpose"),
                  key=entity["id"], amount=float(amount) if amount else None, currency=_first(props, "currency"),
                  start=iso_date(_first(props, "date")))
    elif schema == "Sanction":
        target = _first(props, "entity")
        if not target:
            raise Skip("Sanction without entity")
        for dataset in entity.get("datasets") or []:
            yield _dataset_watchlist(ctx, dataset, locator)
            yield listing(ctx, _node_id(target), f"{locator} $.properties", _first(props, "program"),
                          watchlist_id=list_watchlist_id("ftm:" + dataset), program=_first(props, "program"),
                          reason=_first(props, "reason") or _first(props, "summary"),
                          start=iso_date(_first(props, "startDate") or _first(props, "listingDate")),
                          end=iso_date(_first(props, "endDate")), entry_id=_first(props, "unscId") or entity["id"])
        return
    else:
        raise Skip(f"FtM schema {schema} is not mapped to the graph model")
    if entity.get("target") and schema in ("Person", *ORG_KINDS):
        for dataset in entity.get("datasets") or []:
            yield _dataset_watchlist(ctx, dataset, locator)
            yield listing(ctx, node_id, f"{locator} $.target", entity.get("caption"), watchlist_id=list_watchlist_id("ftm:" + dataset),
                          listed_name=clean(entity.get("caption")), entry_id=entity["id"])


def _dataset_watchlist(ctx: ReadContext, dataset: str, locator: str) -> NodeRecord:
    return NodeRecord("Watchlist", list_watchlist_id("ftm:" + dataset), {"name": dataset, "names": [dataset],
                      "authority": "OpenSanctions dataset"}, ctx.ev("$.datasets", dataset))


SOURCE = Source(
    name="ftm", title="FollowTheMoney entities (JSON lines)",
    formats="one FtM entity per line: {id, schema, properties, datasets, target}",
    read=read, convert=convert, mapped_fields=FIELDS, licence="as the export states (OpenSanctions: CC BY-NC 4.0)",
)
