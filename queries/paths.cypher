// name: concern_paths
// The shortest path from the subject to every entity listed on a watchlist, within
// __MAX_HOPS__ hops. The relationship types in the pattern are the model's link + structure +
// resolution categories (filled in from graph/model.yaml, never from a request); $types narrows
// them. Degree-aware expansion: a node with more than $hub_degree relationships (other than the
// subject) is entered, and may be the end of a path, but is not expanded here — so a university
// with 10k affiliates does not fan out into all of them; structure_from_hubs continues from it
// over structure relations only. Every predicate is on one pattern element, so the database
// applies them while expanding (inlined), not after.
// Facts and listings are kept when their period overlaps [$from, $to] (ISO dates, compared on the
// precision the stored date has: "2020" covers all of 2020). PersonalData is unreachable: the
// pattern's relationship types never include the record link to PersonalData.
MATCH (s:Entity {id: $id})
MATCH p = SHORTEST 1 (s) ((a:Entity WHERE a.id = $id OR COUNT { (a)--() } <= $hub_degree)-[r:__PATH_TYPES__]-(b:Entity)
    WHERE type(r) IN $types
      AND coalesce(r.confidence, 0.0) >= $min_confidence
      AND (type(r) <> 'SAME_AS' OR r.decision = 'same')
      AND ($to IS NULL OR r.start IS NULL OR r.start <= left($to, size(r.start)))
      AND ($from IS NULL OR r.end IS NULL OR r.end >= left($from, size(r.end)))
  ){1,__MAX_HOPS__} (t:Entity)
WHERE t.id <> $id AND EXISTS {
  MATCH (t)-[l:LISTED_ON]->(w:Watchlist)
  WHERE ($lists IS NULL OR w.id IN $lists)
    AND ($as_of IS NULL OR l.start IS NULL OR l.start <= left($as_of, size(l.start)))
    AND ($as_of IS NULL OR l.end IS NULL OR l.end >= left($as_of, size(l.end)))
}
RETURN t.id AS target,
       [n IN nodes(p) | {id: n.id, label: [x IN labels(n) WHERE x <> 'Entity'][0], name: coalesce(n.name, n.title), kind: n.kind}] AS nodes,
       [x IN relationships(p) | {type: type(x), from: startNode(x).id, to: endNode(x).id, props: properties(x)}] AS rels

// name: listings
// The listings of the given entities that are in scope and in effect at $as_of.
UNWIND $ids AS eid
MATCH (t:Entity {id: eid})-[l:LISTED_ON]->(w:Watchlist)
WHERE ($lists IS NULL OR w.id IN $lists)
  AND ($as_of IS NULL OR l.start IS NULL OR l.start <= left($as_of, size(l.start)))
  AND ($as_of IS NULL OR l.end IS NULL OR l.end >= left($as_of, size(l.end)))
RETURN eid AS entity, w.id AS watchlist_id, coalesce(w.name, w.id) AS watchlist_name,
       w.jurisdiction AS jurisdiction, w.authority AS authority, w.severity AS severity,
       properties(l) AS props

// name: hubs_left_out
// Hubs (degree above $hub_degree) the search reached but did not expand through their links,
// with the path to each: what a partial result left out, and where structure-only searches
// continue (statement structure_from_hubs).
MATCH (s:Entity {id: $id})
MATCH p = SHORTEST 1 (s) ((a:Entity WHERE a.id = $id OR COUNT { (a)--() } <= $hub_degree)-[r:__PATH_TYPES__]-(b:Entity)
    WHERE type(r) IN $types
      AND coalesce(r.confidence, 0.0) >= $min_confidence
      AND (type(r) <> 'SAME_AS' OR r.decision = 'same')
      AND ($to IS NULL OR r.start IS NULL OR r.start <= left($to, size(r.start)))
      AND ($from IS NULL OR r.end IS NULL OR r.end >= left($from, size(r.end)))
  ){1,__HUB_HOPS__} (h:Entity)
WHERE h.id <> $id AND COUNT { (h)--() } > $hub_degree
WITH h, p, COUNT { (h)--() } AS degree
ORDER BY size(relationships(p)), degree DESC LIMIT $max_hubs
RETURN h.id AS id, coalesce(h.name, h.title) AS name, degree, size(relationships(p)) AS hops,
       [n IN nodes(p) | {id: n.id, label: [x IN labels(n) WHERE x <> 'Entity'][0], name: coalesce(n.name, n.title), kind: n.kind}] AS nodes,
       [x IN relationships(p) | {type: type(x), from: startNode(x).id, to: endNode(x).id, props: properties(x)}] AS rels

// name: structure_from_hubs
// From each hub, only organizational structure (part of, subsidiary of, supervised by, owned
// by, decided SAME_AS) is followed on to listed entities: a big university's supervising agency
// is found without fanning out into its thousands of affiliates.
UNWIND $hubs AS hub
MATCH (h:Entity {id: hub})
MATCH p = SHORTEST 1 (h) ((a:Entity)-[r:__STRUCTURE_TYPES__]-(b:Entity)
    WHERE type(r) IN $types
      AND coalesce(r.confidence, 0.0) >= $min_confidence
      AND (type(r) <> 'SAME_AS' OR r.decision = 'same')
      AND ($to IS NULL OR r.start IS NULL OR r.start <= left($to, size(r.start)))
      AND ($from IS NULL OR r.end IS NULL OR r.end >= left($from, size(r.end)))
  ){1,__HUB_HOPS__} (t:Entity)
WHERE t.id <> $id AND EXISTS {
  MATCH (t)-[l:LISTED_ON]->(w:Watchlist)
  WHERE ($lists IS NULL OR w.id IN $lists)
    AND ($as_of IS NULL OR l.start IS NULL OR l.start <= left($as_of, size(l.start)))
    AND ($as_of IS NULL OR l.end IS NULL OR l.end >= left($as_of, size(l.end)))
}
RETURN hub, t.id AS target,
       [n IN nodes(p) | {id: n.id, label: [x IN labels(n) WHERE x <> 'Entity'][0], name: coalesce(n.name, n.title), kind: n.kind}] AS nodes,
       [x IN relationships(p) | {type: type(x), from: startNode(x).id, to: endNode(x).id, props: properties(x)}] AS rels

// name: subject
// The subject of a question (any entity but PersonalData).
MATCH (t:Entity {id: $id}) WHERE NOT t:PersonalData
RETURN t.id AS id, [x IN labels(t) WHERE x <> 'Entity'][0] AS label, coalesce(t.name, t.title) AS name, t.kind AS kind

// name: baseline_paths
// The plain variable-length baseline for the benchmark: every path up to $max_hops over the same
// relationship types, no degree awareness, shortest per listed target chosen client-side.
MATCH (s:Entity {id: $id})
MATCH p = (s)-[:__PATH_TYPES__*1..__MAX_HOPS__]-(t:Entity)
WHERE EXISTS { (t)-[:LISTED_ON]->(:Watchlist) }
WITH t, min(length(p)) AS hops
RETURN t.id AS target, hops
