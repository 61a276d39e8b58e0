// Reads the list-version logic needs. Writes go through graph.writer only.

// name: listing_periods
// Every listing period (one LISTED_ON each) of the given entities on the given watchlist.
// Expanded from the entity (a few listings), never from the watchlist (up to millions).
UNWIND $entities AS entity
MATCH (e:Entity {id: entity})
CALL (e) {
  MATCH (e)-[r:LISTED_ON]->(w)
  WHERE w.id = $watchlist
  RETURN r
}
RETURN entity, r.id AS id, r.start AS start, r.end AS end, r.last_listed AS last_listed

// name: watchlist_published
MATCH (w:Entity {id: $id})
RETURN w.published AS published

// name: stale_listings
MATCH (e:Entity)-[r:LISTED_ON]->(w:Entity {id: $watchlist})
WHERE r.end IS NULL AND r.last_listed < $published
RETURN e.id AS entity, r.id AS id
LIMIT $limit
