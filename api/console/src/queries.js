// Every GraphQL document the console sends, and the adapters that turn answers into the shapes the
// panels draw. Why one module: the API grows in parallel; when a field is renamed, this is the only
// file to edit.
//
// The questions beyond search and entity (concernPaths, riskAssessment, recordDecision,
// recordResponse, me) are "optional": when a server of another version answers "Cannot query
// field ..." the console hides the panel instead of failing (see api.js).
//
// Console shapes (what the rest of the console reads):
//   Hit      {id, label, name, names: [string], kind}
//   Entity   {id, label, name, names: [string], identifiers: [{scheme, value}], properties: {...},
//             evidence: [Ev], degree, relations: [{type, outgoing, otherId, otherLabel, otherName, properties, evidence}]}
//   Ev       {sourceId, locator, start, end, text, observedAt, method, confidence}
//   Paths    {partial, omitted, paths: [{score, targetId, targetName, listName, hops: [{type, from, to, properties, evidence}]}]}

/** How the API key travels (issue 7 accepts "Authorization: Bearer <key>" or "X-API-Key"). */
export const AUTH_HEADER = "Authorization";
export const authValue = (key) => `Bearer ${key}`;

/** Relations asked for per entity (the API caps `first` at 100). */
export const RELATIONS_PER_ENTITY = 100;

const EVIDENCE = `fragment Ev on Evidence { sourceId locator start end text observedAt method confidence }`;

// ------------------------------------------------------------------ search and entity

const PROBE = `query Probe { search(query: "kizuna", first: 1) { __typename } }`;

/** One cheap read: proves the key works (an AuthError otherwise). */
export async function checkKey(api) {
  await api.request(PROBE);
}

const SEARCH = `query Search($query: String!, $first: Int!) {
  search(query: $query, first: $first) { nodes { id label name names { value } kind score } }
}`;

const ENTITY = `query Entity($id: ID!, $first: Int!) {
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

/** Typeahead hits for ``text`` (persons, organizations, lists, ... in any script). */
export async function search(api, text, first = 10) {
  return (await api.request(SEARCH, { query: text, first })).search.nodes.map((h) => ({
    id: h.id, label: h.label, name: h.name, names: h.names.map((n) => n.value), kind: h.kind,
  }));
}

/** One entity in the console's shape, or null when it does not exist. */
export async function entity(api, id) {
  const e = (await api.request(ENTITY, { id, first: RELATIONS_PER_ENTITY })).entity;
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
}

// ------------------------------------------------------------------ optional operations

const ME = `query Me { me { name role } }`;

/** Who holds the key ({name, role}); null when the server cannot tell. */
export async function whoAmI(api) {
  return (await api.optional("me", ME))?.me ?? null;
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
export const DOCUMENTS = [PROBE, SEARCH, ENTITY, ME, CONCERN_PATHS, RISK_ASSESSMENT, RECORD_DECISION, RECORD_RESPONSE];
