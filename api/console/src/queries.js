// Every GraphQL document the console sends, and the small adapters that turn answers into the
// shapes the panels draw. Why one module: the API grows in parallel; when a field is renamed,
// this is the only file to edit.
//
// Operations the console needs but the server may not offer yet are "optional": when the server
// answers "Cannot query field ..." the console hides that panel instead of failing (see api.js).

/** How the API key travels. */
export const AUTH_HEADER = "Authorization";
export const authValue = (key) => `Bearer ${key}`;

const EVIDENCE = `fragment Ev on Evidence { sourceId locator start end text observedAt method confidence }`;

export const SEARCH = `query Search($query: String!, $first: Int!, $types: [String!]) {
  search(query: $query, first: $first, types: $types) { id label name names kind score }
}`;

export const ENTITY = `query Entity($id: String!) {
  entity(id: $id) {
    id label name names properties degree
    evidence { ...Ev }
    relations { type outgoing otherId otherLabel otherName properties evidence { ...Ev } }
  }
}
${EVIDENCE}`;

// ---- optional operations (issue 7 / issue 6); the console lights these panels up when present ----

/** Who holds the key: the role decides which controls are shown (viewer: no decisions). */
export const ME = `query Me { me { name role } }`;

export const CONCERN_PATHS = `query ConcernPaths($id: String!, $maxHops: Int, $asOf: String, $lists: [String!]) {
  concernPaths(subjectId: $id, maxHops: $maxHops, asOf: $asOf, lists: $lists) {
    partial
    paths {
      score
      target { id name label }
      watchlist { id name }
      hops { type fromId toId properties evidence { ...Ev } }
    }
  }
}
${EVIDENCE}`;

export const RISK_ASSESSMENT = `query RiskAssessment($id: String!, $asOf: String, $packs: [String!]) {
  riskAssessment(subjectId: $id, asOf: $asOf, packs: $packs) {
    tier recommendation explanation missing
    rulesFired { ruleId pack title outcome citation { document section url } }
    measures
    findings { id kind title summary evidence { ...Ev } }
  }
}
${EVIDENCE}`;

export const RECORD_DECISION = `mutation RecordDecision($subjectId: String!, $findingId: String, $outcome: String!, $measures: [String!], $rationale: String!) {
  recordDecision(subjectId: $subjectId, findingId: $findingId, outcome: $outcome, measures: $measures, rationale: $rationale) {
    id outcome decidedBy decidedAt
  }
}`;

export const RECORD_RESPONSE = `mutation RecordResponse($findingId: String!, $text: String!) {
  recordResponse(findingId: $findingId, text: $text) { id recordedAt }
}`;

// ---- adapters: server answer -> console shape ----

/** Concern paths as [{score, targetId, targetName, listName, hops: [{type, from, to, properties, evidence}]}]. */
export function adaptConcernPaths(data) {
  const result = data?.concernPaths;
  if (!result) return { partial: false, paths: [] };
  return {
    partial: Boolean(result.partial),
    paths: (result.paths || []).map((p) => ({
      score: p.score,
      targetId: p.target?.id,
      targetName: p.target?.name,
      listName: p.watchlist?.name,
      hops: (p.hops || []).map((h) => ({ type: h.type, from: h.fromId, to: h.toId, properties: h.properties || {}, evidence: h.evidence || [] })),
    })),
  };
}

/** The assessment as {tier, recommendation, explanation, missing, rules: [...], measures, findings}. */
export function adaptAssessment(data) {
  const a = data?.riskAssessment;
  if (!a) return null;
  return {
    tier: a.tier,
    recommendation: a.recommendation,
    explanation: a.explanation,
    missing: a.missing || [],
    rules: (a.rulesFired || []).map((r) => ({ id: r.ruleId, pack: r.pack, title: r.title, outcome: r.outcome, citation: r.citation || {} })),
    measures: a.measures || [],
    findings: a.findings || [],
  };
}

export const adaptDecision = (data) => data?.recordDecision;
export const adaptResponse = (data) => data?.recordResponse;
export const adaptMe = (data) => data?.me || null;
