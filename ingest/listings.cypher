// Reads the list-version logic needs. Writes go through graph.writer only.

// name: existing_listings
UNWIND $ids AS id
MATCH ()-[r:LISTED_ON {id: id}]->()
RETURN r.id AS id, r.last_listed AS last_listed, r.start AS start

// name: watchlist_published
MATCH (w:Entity {id: $id})
RETURN w.published AS published

// name: stale_listings
MATCH (e:Entity)-[r:LISTED_ON]->(w:Entity {id: $watchlist})
WHERE r.end IS NULL AND r.last_listed < $published
RETURN e.id AS entity, r.id AS id
LIMIT $limit
