"""The sweep definition: one YAML file says what to refresh, whom to re-check, how, when, and
where the results go. Validated with pydantic so a bad file fails before anything is touched.

Why a file and not flags: a sweep runs unattended for months; its definition must be reviewable,
versioned beside the institution's other policies, and identical between runs (its checksum is
stored on every Sweep node).
"""

from __future__ import annotations

import hashlib
import re
import datetime as dt
from pathlib import Path
from typing import Literal

import yaml
from croniter import croniter
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from kizuna.errors import InvalidInput
from queries.paths import SEARCH_CACHE_WEIGHT

_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")

# Named populations a definition may ask for; the Cypher lives in queries/sweep.cypher.
POPULATION_QUERIES = {
    "all_people": "population_all_people",
    "all_organizations": "population_all_organizations",
    "people_with_affiliations": "population_people_with_affiliations",
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceSpec(_Strict):
    """One open source to refresh: a file, a folder (every file in it) or an http(s) URL."""

    name: str
    format: str = Field(description="ingestor name, as in `kizuna ingest <format> ...`")
    path: str | None = None
    url: str | None = None
    options: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _one_location(self) -> "SourceSpec":
        if bool(self.path) == bool(self.url):
            raise ValueError(f"source {self.name!r}: give exactly one of path or url")
        if self.url and not self.url.startswith(("https://", "http://")):
            raise ValueError(f"source {self.name!r}: url must be http(s)")
        return self


class PopulationSpec(_Strict):
    """Whom to re-check: everyone with a disclosure, a fixed list of ids, or a named query."""

    kind: Literal["disclosures", "ids", "query"]
    ids: list[str] = Field(default_factory=list)
    query: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> "PopulationSpec":
        if self.kind == "ids" and not self.ids:
            raise ValueError("population kind 'ids' needs a non-empty ids list")
        if self.kind == "query" and self.query not in POPULATION_QUERIES:
            raise ValueError(f"population query must be one of {sorted(POPULATION_QUERIES)}, not {self.query!r}")
        return self


class AsOfPolicy(_Strict):
    """Which date the assessment is 'as of': the sweep's start (the usual nightly case) or fixed."""

    policy: Literal["sweep_start", "fixed"] = "sweep_start"
    date: dt.date | None = None

    @model_validator(mode="after")
    def _fixed_has_date(self) -> "AsOfPolicy":
        if self.policy == "fixed" and self.date is None:
            raise ValueError("as_of policy 'fixed' needs a date")
        return self


class WebhookSpec(_Strict):
    url: str
    timeout_s: float = 10.0

    @field_validator("url")
    @classmethod
    def _http(cls, v: str) -> str:
        if not v.startswith(("https://", "http://")):
            raise ValueError("webhook url must be http(s)")
        return v


class OutputSpec(_Strict):
    directory: str = "var/sweeps"
    formats: list[Literal["json", "csv", "html", "dossier_html", "dossier_pdf"]] = Field(
        default_factory=lambda: ["json", "csv", "html"]
    )
    dossiers_for: Literal["changed", "flagged", "all"] = "changed"
    max_dossiers: int = Field(default=500, ge=0, description="cap per sweep (a baseline can flag thousands); the rest are listed as skipped")
    webhook: WebhookSpec | None = None


class SweepDefinition(_Strict):
    id: str
    title: str = ""
    sources: list[SourceSpec] = Field(default_factory=list)
    population: PopulationSpec
    lists: list[str] = Field(default_factory=list, description="watchlist ids to check against; empty = all")
    packs: list[str] = Field(default_factory=lambda: ["default"])
    max_hops: int = Field(default=4, ge=1, le=6)
    as_of: AsOfPolicy = Field(default_factory=AsOfPolicy)
    schedule: str | None = None
    workers: int = Field(default=1, ge=1, le=64)
    batch_size: int = Field(default=200, ge=1, le=5000)
    cache_weight: int = Field(default=SEARCH_CACHE_WEIGHT, ge=0, le=100_000_000,
                              description="what each worker's concern-path search cache may hold, in units of about one step, evidence "
                                          "entry or listing (queries.paths.SEARCH_CACHE_WEIGHT by default); 0 keeps nothing")
    outputs: OutputSpec = Field(default_factory=OutputSpec)

    @field_validator("id")
    @classmethod
    def _id_shape(cls, v: str) -> str:
        if not _ID.match(v):
            raise ValueError("id must be lower-case letters, digits, - or _ (max 64)")
        return v

    @field_validator("schedule")
    @classmethod
    def _cron(cls, v: str | None) -> str | None:
        if v is not None and not croniter.is_valid(v):
            raise ValueError(f"schedule is not a valid cron expression: {v!r}")
        return v

    @model_validator(mode="after")
    def _unique_sources(self) -> "SweepDefinition":
        names = [s.name for s in self.sources]
        if len(names) != len(set(names)):
            raise ValueError("source names must be unique")
        return self


class LoadedDefinition(BaseModel):
    """A validated definition with where it came from and the checksum of its text."""

    model_config = ConfigDict(frozen=True)
    definition: SweepDefinition
    path: Path
    checksum: str

    def resolve(self, location: str) -> Path:
        """Relative paths in a definition are relative to the definition file."""
        p = Path(location).expanduser()
        return p if p.is_absolute() else (self.path.parent / p).resolve()

    @property
    def state_dir(self) -> Path:
        """This definition's folder under its outputs directory: its lock, its download cache and
        one folder per sweep (ingest.sweep.checkpoint.sweep_folder)."""
        return self.resolve(self.definition.outputs.directory) / self.definition.id


def load_definition(path: str | Path) -> LoadedDefinition:
    """Read and validate a sweep definition; every problem becomes one clear InvalidInput."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(f"cannot read sweep definition {path}: {exc.strerror}") from exc
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InvalidInput(f"sweep definition {path} is not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise InvalidInput(f"sweep definition {path} must be a mapping")
    try:
        definition = SweepDefinition.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(x) for x in e['loc']) or '(root)'}: {e['msg']}" for e in exc.errors())
        raise InvalidInput(f"sweep definition {path} is invalid: {problems}") from exc
    return LoadedDefinition(
        definition=definition, path=path.resolve(), checksum=hashlib.sha256(text.encode("utf-8")).hexdigest()
    )
