// Every GraphQL document the console sends, and the adapters that turn answers into the shapes the
// panels draw. Why one module: the API grows in parallel; when a field is renamed, this is the only
// file to edit.
//
// Two generations of the API exist while branches merge: the foundation's (search returns a list,
// entity returns raw properties and relations) and issue 7's (connections, typed results, Node
// interface). `detectGeneration` tells them apart from the shape of one search answer; each has
// its own SEARCH/ENTITY documents and adapters below. Operations only issue 7 offers (concernPaths,
// riskAssessment, recordDecision, recordResponse, me) are "optional": when the server answers
// "Cannot query field ..." the console hides the panel instead of failing (see api.js).
//
// Console shapes (what the rest of the console reads):
//   Hit      {id, label, name, names: [string], kind}
//   Entity   {id, label, name, names: [string], identifiers: [{scheme, value}], properties: {...},
//             evidence: [Ev], degree, relations: [{type, outgoing, otherId, otherLabel, otherName, properties, evidence}]}
//   Ev       {sourceId, locator, start, end, text, observedAt, method, confidence}
//   Paths    {partial, omitted, paths: [{score, targetId, targetName, listName, hops: [{type, from, to, properties, evidence}]}]}

import { AuthError } from "./api.js";

/** How the API key travels (issue 7 accepts "Authorization: Bearer <key>" or "X-API-Key"). */
export const AUTH_HEADER = "Authorization";
export const authValue = (key) => `Bearer ${key}`;

/** Relations asked for per entity (issue 7 caps `first` at 100; the foundation returns up to 200). */
export const RELATIONS_PER_ENTITY = 100;

const EVIDENCE = `fragment Ev on Evidence { sourceId locator start end text observedAt method confidence }`;

/** Identifier properties of the graph model (graph/model.yaml, identifier: true), for raw property maps. */
const IDENTIFIER_KEYS = ["orcid", "kaken_id", "erad_id", "openalex", "nih_person_id", "ror", "fundref", "wikidata", "grid", "isni", "lei", "doi", "number"];

// ------------------------------------------------------------------ which API is this?

const PROBE = `query Probe { search(query: "kizuna", first: 1) { __typename } }`;

/** "foundation" (search answers a list) or "connections" (issue 7: search answers a connection). */
export async function detectGeneration(api) {
  const data = await api.request(PROBE);
  return Array.isArray(data.search) ? "foundation" : "connections";
}

// ------------------------------------------------------------------ foundation generation

const F_SEARCH = `query Search($query: String!, $first: Int!) {
  search(query: $query, first: $first) { id label name names kind score }
}`;

const F_ENTITY = `query Entity($id: String!) {
  entity(id: $id) {
    id label name names properties degree
    evidence { ...Ev }
    relations { type outgoing otherId otherLabel otherName properties evidence { ...Ev } }
  }
}
${EVIDENCE}`;

function identifiersFromProps(props) {
  return IDENTIFIER_KEYS.filter((k) => props[k] !== undefined && props[k] !== null && props[k] !== "")
    .flatMap((k) => (Array.isArray(props[k]) ? props[k] : [props[k]]).map((v) => ({ scheme: k, value: String(v) })));
}

const foundation = {
  async search(api, text, first) {
    return (await api.request(F_SEARCH, { query: text, first })).search.map((h) => ({ id: h.id, label: h.label, name: h.name, names: h.names || [], kind: h.kind }));
  },
  async entity(api, id) {
    const e = (await api.request(F_ENTITY, { id })).entity;
    if (!e) return null;
    const props = e.properties || {};
    return {
      id: e.id, label: e.label, name: e.name, names: e.names.length ? e.names : [e.name].filter(Boolean),
      identifiers: identifiersFromProps(props), properties: props, evidence: e.evidence, degree: e.degree, relations: e.relations,
    };
  },
};

// ------------------------------------------------------------------ issue 7 generation

const C_SEARCH = `query Search($query: String!, $first: Int!) {
  search(query: $query, first: $first) { nodes { id label name names { value } kind score } }
}`;

const C_ENTITY = `query Entity($id: ID!, $first: Int!) {
  entity(id: $id) {
    __typename
    ... on NotFound { message }
    ... on Node {
      id label name
      names { value script }
      identifiers { scheme value }
      evidence { ...Ev }
      relations(first: $first) {
        totalCount
        nodes { type direction properties evidence { ...Ev } node { id label name } }
      }
    }
    ... on GenericEntity { properties }
    ... on Organization { kind country city }
    ... on Watchlist { jurisdiction authority url severity }
  }
}
${EVIDENCE}`;

const connections = {
  async search(api, text, first) {
    return (await api.request(C_SEARCH, { query: text, first })).search.nodes.map((h) => ({
      id: h.id, label: h.label, name: h.name, names: h.names.map((n) => n.value), kind: h.kind,
    }));
  },
  async entity(api, id) {
    const e = (await api.request(C_ENTITY, { id, first: RELATIONS_PER_ENTITY })).entity;
    if (!e || e.__typename === "NotFound") return null;
    const props = { ...(e.properties || {}) };
    for (const k of ["kind", "country", "city", "jurisdiction", "authority", "url", "severity"]) if (e[k] != null) props[k] = e[k];
    return {
      id: e.id, label: e.label, name: e.name, names: e.names.map((n) => n.value), identifiers: e.identifiers, properties: props,
      evidence: e.evidence, degree: e.relations.totalCount ?? e.relations.nodes.length,
      relations: e.relations.nodes.map((r) => ({
        type: r.type, outgoing: r.direction === "OUT", otherId: r.node.id, otherLabel: r.node.label, otherName: r.node.name,
        properties: r.properties || {}, evidence: r.evidence,
      })),
    };
  },
};

const GENERATIONS = { foundation, connections };

/** Typeahead hits for ``text`` (persons, organizations, lists, ... in any script). */
export const search = (api, text, first = 10) => GENERATIONS[api.generation].search(api, text, first);

/** One entity in the console's shape, or null when it does not exist. */
export const entity = (api, id) => GENERATIONS[api.generation].entity(api, id);

// ------------------------------------------------------------------ optional operations (issue 7)

const ME = `query Me { me { name role } }`;
// Without `me`, a viewer is recognised by being refused a read that investigators may do
// (issue 7: `disclosure` is investigator and up); the look-up of an id that cannot exist reads nothing.
const VIEWER_PROBE = `query ViewerProbe { disclosure(id: "dis:console-role-probe") { __typename } }`;

/** Who holds the key ({name, role}); {role: "viewer"} when only that can be told; null when unknown. */
export async function whoAmI(api) {
  const me = (await api.optional("me", ME))?.me;
  if (me) return me;
  try {
    await api.optional("disclosure", VIEWER_PROBE);
  } catch (err) {
    if (err instanceof AuthError) return { name: null, role: "viewer" };
    throw err;
  }
  return null;
}

const CONCERN_PATHS = `query ConcernPaths($id: ID!, $maxHops: Int!, $asOf: String, $lists: [String!]) {
  concernPaths(subjectId: $id, maxHops: $maxHops, asOf: $asOf, lists: $lists, first: 20) {
    __typename
    ... on ConcernPaths {
      partial omitted
      paths { nodes {
        score
        target { id label name }
        listings { watchlistId watchlistName start end reason evidence { ...Ev } }
        hops { type source { id label name } target { id label name } properties evidence { ...Ev } }
      } }
    }
    ... on NotFound { message }
    ... on NotAvailable { message feature }
  }
}
${EVIDENCE}`;

/**
 * Server-computed concern paths, or null when the server has none to offer. Each listing of the
 * reached entity becomes a last LISTED_ON hop so that the list itself is drawn and highlighted.
 * ``names`` receives the names of every entity on a path.
 */
export async function concernPaths(api, id, { asOf = null, lists = null, maxHops = 4 } = {}, names = new Map()) {
  const data = await api.optional("concernPaths", CONCERN_PATHS, { id, maxHops, asOf, lists });
  const result = data?.concernPaths;
  if (!result || result.__typename !== "ConcernPaths") return null;
  const remember = (ref) => { names.set(ref.id, { name: ref.name, label: ref.label }); return ref.id; };
  return {
    partial: result.partial,
    omitted: result.omitted || [],
    paths: result.paths.nodes.map((p) => ({
      score: p.score,
      targetId: remember(p.target),
      targetName: p.target.name,
      listName: p.listings.map((l) => l.watchlistName || l.watchlistId).join(", "),
      hops: [
        ...p.hops.map((h) => ({ type: h.type, from: remember(h.source), to: remember(h.target), properties: h.properties || {}, evidence: h.evidence })),
        ...p.listings.map((l) => {
          names.set(l.watchlistId, { name: l.watchlistName, label: "Watchlist" });
          return { type: "LISTED_ON", from: p.target.id, to: l.watchlistId, properties: { start: l.start, end: l.end, reason: l.reason }, evidence: l.evidence };
        }),
      ],
    })),
  };
}

const RISK_ASSESSMENT = `query RiskAssessment($id: ID!, $asOf: String, $packs: [String!]) {
  riskAssessment(subjectId: $id, asOf: $asOf, packs: $packs) {
    __typename
    ... on RiskAssessment {
      tier recommendation explanation measures
      rulesFired { pack ruleId title outcome measures citations { document section url } }
      findings { id kind title severity evidence { ...Ev } }
    }
    ... on InsufficientInformation { message missing }
    ... on NotFound { message }
    ... on NotAvailable { message feature }
  }
}
${EVIDENCE}`;

/** {tier, recommendation, explanation, missing, rules, measures, findings}, or null when not offered. */
export async function riskAssessment(api, id, { asOf = null, packs = null } = {}) {
  const a = (await api.optional("riskAssessment", RISK_ASSESSMENT, { id, asOf, packs }))?.riskAssessment;
  if (!a || a.__typename === "NotFound" || a.__typename === "NotAvailable") return null;
  if (a.__typename === "InsufficientInformation") {
    return { tier: "—", recommendation: "INSUFFICIENT_INFORMATION", explanation: a.message, missing: a.missing, rules: [], measures: [], findings: [] };
  }
  return {
    tier: a.tier, recommendation: a.recommendation, explanation: a.explanation, missing: [], measures: a.measures, findings: a.findings,
    rules: a.rulesFired.map((r) => ({ id: r.ruleId, pack: r.pack, title: r.title, outcome: r.outcome, measures: r.measures, citations: r.citations })),
  };
}

const RECORD_DECISION = `mutation RecordDecision($input: DecisionInput!) {
  recordDecision(input: $input) {
    __typename
    ... on Decision { id outcome measures rationale decidedBy decidedAt }
    ... on NotFound { message }
  }
}`;

/** Records a decision on the subject (or one of its findings); returns {id, outcome, decidedBy, decidedAt, ...}. */
export async function recordDecision(api, subjectId, { findingId, outcome, measures, rationale }) {
  const d = (await api.request(RECORD_DECISION, { input: { subjectId, findingId: findingId || null, outcome, measures, rationale } })).recordDecision;
  if (d.__typename !== "Decision") throw new Error(d.message);
  return d;
}

const RECORD_RESPONSE = `mutation RecordResponse($input: ResponseInput!) {
  recordResponse(input: $input) {
    __typename
    ... on Response { id recordedBy recordedAt }
    ... on NotFound { message }
  }
}`;

export async function recordResponse(api, subjectId, { findingId, text }) {
  const r = (await api.request(RECORD_RESPONSE, { input: { subjectId, findingId: findingId || null, text } })).recordResponse;
  if (r.__typename !== "Response") throw new Error(r.message);
  return r;
}

/** Every document, for checking them against an exported schema (tests). */
export const DOCUMENTS = {
  foundation: [F_SEARCH, F_ENTITY],
  connections: [C_SEARCH, C_ENTITY, CONCERN_PATHS, RISK_ASSESSMENT, RECORD_DECISION, RECORD_RESPONSE],
};
