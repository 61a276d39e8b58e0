// Sweeps (ingest/sweep): bookkeeping reads, named populations and the batch concern-path
// finder the sweep uses while queries/assess.py is not merged. Parameters only.

// name: running_sweep
MATCH (s:Sweep {definition_id: $definition_id})
WHERE s.status = 'running'
RETURN s {.*} AS sweep
ORDER BY s.started_at DESC
LIMIT 1

// name: last_completed_sweep
MATCH (s:Sweep {definition_id: $definition_id})
WHERE s.status = 'completed' AND s.id <> $exclude_id
RETURN s {.*} AS sweep
ORDER BY s.finished_at DESC, s.started_at DESC
LIMIT 1

// name: sweep_by_id
MATCH (s:Entity:Sweep {id: $id})
RETURN s {.*} AS sweep

// name: sweeps
MATCH (s:Sweep)
WHERE $definition_id IS NULL OR s.definition_id = $definition_id
RETURN s {.*} AS sweep
ORDER BY s.started_at DESC, s.id
SKIP $skip
LIMIT $limit

// name: done_subjects
MATCH (r:SweepResult {sweep_id: $sweep_id})
RETURN r.subject_id AS subject_id

// name: count_results
MATCH (r:SweepResult {sweep_id: $sweep_id})
RETURN count(r) AS done, count(CASE WHEN r.status = 'error' THEN 1 END) AS errors

// name: sweep_results
MATCH (r:SweepResult {sweep_id: $sweep_id})
RETURN r.subject_id AS subject_id, r.subject_name AS subject_name, r.status AS status, r.error AS error,
       r.tier AS tier, r.recommendation AS recommendation, r.findings AS findings
ORDER BY r.subject_id

// name: population_disclosures
MATCH (p:Person)-[:SUBMITTED]->(:Disclosure)
RETURN DISTINCT p.id AS id
ORDER BY id

// name: population_all_people
MATCH (p:Person)
RETURN p.id AS id
ORDER BY id

// name: population_all_organizations
MATCH (o:Organization)
WHERE NOT EXISTS { (o)-[:LISTED_ON]->(:Watchlist) }
RETURN o.id AS id
ORDER BY id

// name: population_people_with_affiliations
MATCH (p:Person)
WHERE EXISTS { (p)-[:AFFILIATED_WITH]->(:Organization) }
RETURN p.id AS id
ORDER BY id

// name: subjects
// The subjects of a batch that exist, with their name and how many typed links they have
// (zero links = too little coverage to judge: INSUFFICIENT_INFORMATION).
UNWIND $ids AS sid
MATCH (s:Entity {id: sid})
WHERE s:Person OR s:Organization OR s:Project
RETURN s.id AS id, coalesce(s.name, s.title, s.id) AS name,
       COUNT { (s)-[r]-() WHERE type(r) IN $link_types } AS links

// name: concern_paths_batch
// One shortest path per (subject, listed entity) over typed link/structure relationships and
// decided SAME_AS, followed in their stored direction (person > organization > parent, funder,
// supervisor, owner; SAME_AS as resolution wrote it, candidate > listed), valid at $as_of, ending
// in a listing on one of $lists (all lists when empty). Following edges outward keeps hubs from
// exploding the search: a university's thousands of affiliates are never walked (10x faster than
// undirected on the bench graph). $$REL_TYPES$$ is replaced by allow-listed types from the model.
UNWIND $ids AS sid
MATCH (s:Entity {id: sid})
CALL (s) {
  MATCH p = ANY SHORTEST (s)((a)-[r:$$REL_TYPES$$]->(b)
        WHERE (r.start IS NULL OR r.start <= $as_of) AND (r.end IS NULL OR r.end > $as_of)
          AND (type(r) <> 'SAME_AS' OR r.decision = 'same')){0,$$MAX_HOPS$$}(t:Entity)
  WHERE EXISTS { (t)-[l:LISTED_ON]->(w:Watchlist)
                 WHERE (size($lists) = 0 OR w.id IN $lists)
                   AND (l.start IS NULL OR l.start <= $as_of) AND (l.end IS NULL OR l.end > $as_of) }
  MATCH (t)-[l:LISTED_ON]->(w:Watchlist)
  WHERE (size($lists) = 0 OR w.id IN $lists)
    AND (l.start IS NULL OR l.start <= $as_of) AND (l.end IS NULL OR l.end > $as_of)
  RETURN t, l, w,
         [n IN nodes(p) | {id: n.id, name: coalesce(n.name, n.title, n.id)}] AS path_nodes,
         [x IN relationships(p) | {type: type(x), id: x.id, from: startNode(x).id, to: endNode(x).id,
                                   start: x.start, end: x.end, confidence: x.confidence,
                                   sources: x.ev_source, locators: x.ev_locator}] AS hops
}
RETURN s.id AS subject_id, t.id AS target_id, coalesce(t.name, t.id) AS target_name,
       w.id AS watchlist_id, coalesce(w.name, w.id) AS watchlist_name,
       {id: l.id, start: l.start, end: l.end, reason: l.reason, entry_id: l.entry_id,
        sources: l.ev_source, locators: l.ev_locator} AS listing,
       path_nodes, hops

// name: listed_orgs_of_watchlist
MATCH (o:Organization)-[l:LISTED_ON]->(w:Entity:Watchlist {id: $watchlist_id})
RETURN o.id AS id, l.id AS listing_id, l.end AS end, l.start AS start, l.entry_id AS entry_id

// name: same_name_organizations
// Fallback incremental resolution: unlisted organizations whose name or alias equals (case-folded)
// a listed organization's name or alias.
UNWIND $targets AS target
MATCH (o:Organization)
WHERE o.id <> target.id AND NOT EXISTS { (o)-[:LISTED_ON]->(:Watchlist) }
  AND any(n IN coalesce(o.names, []) + coalesce(o.name, []) WHERE toLower(n) IN target.names)
RETURN target.id AS listed_id, o.id AS org_id, coalesce(o.name, o.id) AS org_name

// name: clear_listing_end
MATCH (:Organization)-[l:LISTED_ON]->(:Watchlist)
WHERE l.id IN $ids
SET l.end = null

// name: organization_names
MATCH (o:Organization)
WHERE o.id IN $ids
RETURN o.id AS id, coalesce(o.names, []) + coalesce(o.name, []) AS names

// name: count_sweeps
MATCH (s:Sweep)
WHERE $definition_id IS NULL OR s.definition_id = $definition_id
RETURN count(s) AS total
