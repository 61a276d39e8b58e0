// name: nodes_by_ids
// Entities by id (batched for the API's per-request loaders). Records without the Entity label
// (API keys, audit entries, decisions) are never reachable here, and protected PersonalData
// nodes are excluded explicitly.
UNWIND $ids AS id
MATCH (n:Entity {id: id})
WHERE NOT n:PersonalData
RETURN n.id AS id, [l IN labels(n) WHERE l <> 'Entity'][0] AS label, properties(n) AS props

// name: relations_page
// One page of relationships of each entity, with the far node's properties so that a nested
// query needs no further look-up. The pattern's __TYPES__ placeholder is replaced by queries.people
// with the requested types (checked against the model) and direction ('out', 'in' or 'both'): typed, the
// pattern lets Neo4j read only those relationships of a hub and count them from its degrees,
// where a type filter in WHERE read all of them (a university's thousands of affiliations to
// show its five listings).
UNWIND $ids AS id
MATCH (n:Entity {id: id})
CALL (n) {
  RETURN COUNT { MATCH (n)-[r:__TYPES__]-(m:Entity) WHERE NOT m:PersonalData } AS total
}
CALL (n) {
  MATCH (n)-[r:__TYPES__]-(m:Entity)
  WHERE NOT m:PersonalData
  WITH r, m ORDER BY type(r), m.id, r.id
  SKIP $skip LIMIT $limit
  RETURN collect({type: type(r), outgoing: startNode(r) = n, props: properties(r),
                  other_id: m.id, other_label: [l IN labels(m) WHERE l <> 'Entity'][0],
                  other_props: properties(m)}) AS items
}
RETURN id, total, items

// name: persons_by_identifier
// Persons whose identifier (ORCID, KAKEN, e-Rad, OpenAlex, NIH) equals the value.
MATCH (n:Person)
WHERE n.orcid = $value OR n.kaken_id = $value OR n.erad_id = $value OR n.openalex = $value OR n.nih_person_id = $value
RETURN n.id AS id ORDER BY id LIMIT $limit

// name: organizations_by_identifier
MATCH (n:Organization)
WHERE n.ror = $value OR n.wikidata = $value OR n.grid = $value OR n.lei = $value OR n.openalex = $value
   OR $value IN coalesce(n.fundref, []) OR $value IN coalesce(n.isni, [])
RETURN n.id AS id ORDER BY id LIMIT $limit

// name: watchlists_page
CALL () { MATCH (w:Watchlist)  RETURN count(*) AS total }
CALL () {
  MATCH (w:Watchlist) 
  WITH w ORDER BY w.name, w.id SKIP $skip LIMIT $limit
  RETURN collect({id: w.id, label: 'Watchlist', props: properties(w)}) AS items
}
RETURN total, items
