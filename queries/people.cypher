// name: nodes_by_ids
// Entities by id (batched for the API's per-request loaders). Records without the Entity label
// (API keys, audit entries, decisions) are never reachable here, and protected PersonalData
// nodes are excluded explicitly.
UNWIND $ids AS id
MATCH (n:Entity {id: id})
WHERE NOT n:PersonalData
RETURN n.id AS id, [l IN labels(n) WHERE l <> 'Entity'][0] AS label, properties(n) AS props

// name: relations_page
// One page of relationships of each entity, of the given types and direction ('out', 'in' or
// 'both'), with the far node's properties so that a nested query needs no further look-up.
UNWIND $ids AS id
MATCH (n:Entity {id: id})
CALL (n) {
  RETURN COUNT { MATCH (n)-[r]-(m:Entity) WHERE type(r) IN $types AND NOT m:PersonalData
                 AND ($direction = 'both' OR ($direction = 'out') = (startNode(r) = n)) } AS total
}
CALL (n) {
  MATCH (n)-[r]-(m:Entity)
  WHERE type(r) IN $types AND NOT m:PersonalData AND ($direction = 'both' OR ($direction = 'out') = (startNode(r) = n))
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
