"""The facts a disclosure states, as the extractor returns them (before graph linking)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

RELATIONS = ("AFFILIATED_WITH", "ADVISES", "FUNDED_BY", "PARTY_TO", "PARTICIPATES_IN")


@dataclass
class OrgMention:
    """An organization named in the text; ``entry_id`` is set when the gazetteer matched it."""

    start: int
    end: int
    text: str
    entry_id: str | None = None
    kind: str | None = None
    label: str = "ORG"  # ORG, PROGRAM (funding program of a funder) or TALENT
    source: str = "gazetteer"  # gazetteer | ner | shape | anaphora
    antecedent: str | None = None  # for 同大学 / "the university": the name it refers back to

    @property
    def name(self) -> str:
        """The organization's name as the document gives it (the antecedent for an anaphor)."""
        return self.antecedent or self.text


@dataclass
class Fact:
    """One statement: relation to an organization, with the words that prove it.

    ``start``/``end``/``text`` is the evidence span in the document (the clause that states the
    fact); ``org`` is the organization mention inside it.
    """

    relation: str
    org: OrgMention
    start: int
    end: int
    text: str
    lang: str
    role: str | None = None
    role_normalized: str | None = None
    date_start: str | None = None
    date_end: str | None = None
    amount: float | None = None
    currency: str | None = None
    grant_number: str | None = None
    program: str | None = None
    pi_role: str | None = None
    contract_kind: str | None = None
    clauses: list[str] = field(default_factory=list)
    relation_cue: str = "role"  # what decided the relation: talent | contract | funding | role | section
    confidence: float = 0.8

    @property
    def year(self) -> int | None:
        return int(self.date_start[:4]) if self.date_start and self.date_start[:4].isdigit() else None

    @property
    def key_role(self) -> str | None:
        """The role slot of the evaluation key: normalized role for appointments and advisory
        roles, PI/co-PI for funding, contract kind for contracts, none for programs."""
        if self.relation in ("AFFILIATED_WITH", "ADVISES"):
            return self.role_normalized
        if self.relation == "FUNDED_BY":
            return self.pi_role
        if self.relation == "PARTY_TO":
            return self.contract_kind
        return None

    def as_dict(self) -> dict:
        out = asdict(self)
        out["year"] = self.year
        return out
