// name: in_scope
// The listing scope every statement below shares (queries/paths.py puts it where __IN_SCOPE__
// stands, once): a LISTED_ON `l` to a watchlist `w` on the lists in $lists (all when null), in
// effect at $as_of.
($lists IS NULL OR w.id IN $lists)
AND ($as_of IS NULL OR l.start IS NULL OR l.start <= left($as_of, size(l.start)))
AND ($as_of IS NULL OR l.end IS NULL OR l.end >= left($as_of, size(l.end)))

// name: expand
// One level of the breadth-first concern-path search (queries/paths.py drives the levels).
// From each frontier entity, the relationships a concern path may follow (types from
// graph/model.yaml's link + structure + resolution categories, never from a request; $types
// narrows them) to neighbours whose concern proximity (graph/proximity.py: a lower bound of the
// hops to the nearest listed entity) fits in the $left hops that remain — everything else cannot
// lead to a listed entity in time and is never touched. Hub rule: a frontier entity with more
// than $hub_degree relationships is continued over structure only, unless it is the subject of a
// search ($subjects: one search or a batch of them run level by level together; the caller keeps a
// hub's other steps only for the search whose subject it is).
// Facts are kept when their period overlaps [$from, $to] (ISO dates, compared on the precision
// the stored date has: "2020" covers all of 2020).
UNWIND $frontier AS fid
MATCH (a:Entity {id: fid})
WITH a, COUNT { (a)--() } AS degree
WITH a, degree, a.id IN $subjects OR degree <= $hub_degree AS open
CALL (a, open) {
  // An open entity: every followed type. A hub: only structure types are expanded, so its tens
  // of thousands of affiliations are never read.
  CALL (a, open) {
    WITH a WHERE open
    MATCH (a)-[r:__PATH_TYPES__]-(b:Entity)
    WHERE b.concern_hops <= $left
    RETURN r, b
    UNION
    WITH a WHERE NOT open
    MATCH (a)-[r:__STRUCTURE_TYPES__]-(b:Entity)
    WHERE b.concern_hops <= $left
    RETURN r, b
  }
  WITH r, b
  WHERE type(r) IN $types
    AND coalesce(r.confidence, 0.0) >= $min_confidence
    AND (type(r) <> 'SAME_AS' OR r.decision = 'same')
    AND ($to IS NULL OR r.start IS NULL OR r.start <= left($to, size(r.start)))
    AND ($from IS NULL OR r.end IS NULL OR r.end >= left($from, size(r.end)))
  // A step is a compact list (decoding is the client's main cost): [neighbour id, the severities
  // of its listings in scope and in effect at $as_of (null when it is not listed), structure
  // relation?, type, leaves the frontier entity?, confidence, relationship element id, end,
  // share] — what choosing and scoring paths needs. Names and the relationship's other
  // properties are fetched once, for the chosen paths only (details).
  RETURN collect([b.id, CASE WHEN b.concern_hops = 0 THEN [(b)-[l:LISTED_ON]->(w:Watchlist) WHERE __IN_SCOPE__ | w.severity] END,
                  type(r) IN $structure_types, type(r), startNode(r) = a,
                  coalesce(r.confidence, 0.0), elementId(r), r.end, r.share]) AS steps
}
// One record for the whole level: every record costs the driver a round of socket reads.
RETURN collect([a.id, degree, steps]) AS rows

// name: listings
// The listings of the chosen targets ($ids) in scope and in effect at $as_of, in one record.
UNWIND $ids AS eid
MATCH (t:Entity {id: eid})-[l:LISTED_ON]->(w:Watchlist)
WHERE __IN_SCOPE__
RETURN collect({entity: eid, watchlist_id: w.id, watchlist_name: coalesce(w.name, w.id), jurisdiction: w.jurisdiction,
                authority: w.authority, severity: w.severity, props: properties(l)}) AS listings

// name: details
// What the answers show once the search is done, in one record: the properties of the
// relationships on the chosen paths ($rels, element ids) and the label, name and kind of the
// entities on them ($nodes).
CALL () {
  UNWIND $rels AS rid
  MATCH ()-[r]->() WHERE elementId(r) = rid
  RETURN collect([rid, properties(r)]) AS rels
}
CALL () {
  UNWIND $nodes AS nid
  MATCH (n:Entity {id: nid})
  RETURN collect([nid, [x IN labels(n) WHERE x <> 'Entity'][0], coalesce(n.name, n.title), n.kind]) AS nodes
}
RETURN rels, nodes

// name: subject
// The subjects of questions (any entity but PersonalData), with what decides whether a concern-path
// search can find anything: the concern proximity and the degree (hub rule); and the severities of
// the subject's own listings in scope ($lists, $as_of).
UNWIND $ids AS sid
MATCH (t:Entity {id: sid}) WHERE NOT t:PersonalData
RETURN t.id AS id, [x IN labels(t) WHERE x <> 'Entity'][0] AS label, coalesce(t.name, t.title) AS name, t.kind AS kind,
       t.concern_hops AS concern_hops, COUNT { (t)--() } AS degree,
       [(t)-[l:LISTED_ON]->(w:Watchlist) WHERE __IN_SCOPE__ | w.severity] AS severities

// name: baseline_paths
// The plain variable-length baseline for the benchmark: every path up to $max_hops over the same
// relationship types, no degree awareness, shortest per listed target chosen client-side.
MATCH (s:Entity {id: $id})
MATCH p = (s)-[:__PATH_TYPES__*1..__MAX_HOPS__]-(t:Entity)
WHERE EXISTS { (t)-[:LISTED_ON]->(:Watchlist) }
WITH t, min(length(p)) AS hops
RETURN t.id AS target, hops
