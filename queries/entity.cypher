// name: entity
// One entity with its properties, its degree, and its first $limit relationships with evidence.
// The page is cut before anything is projected, so a hub with thousands of links costs little.
MATCH (n:Entity {id: $id})
CALL (n) {
  RETURN COUNT { MATCH (n)-[r]-(m:Entity) WHERE NOT type(r) IN $hidden_types } AS degree
}
CALL (n) {
  OPTIONAL MATCH (n)-[r]-(m:Entity)
  WHERE NOT type(r) IN $hidden_types
  WITH r, m ORDER BY type(r), m.id LIMIT $limit
  RETURN collect(CASE WHEN r IS NULL THEN NULL ELSE {
    type: type(r), outgoing: startNode(r) = n, props: properties(r),
    other: {id: m.id, label: [l IN labels(m) WHERE l <> 'Entity'][0], name: coalesce(m.name, m.title)}
  } END) AS rels
}
RETURN [l IN labels(n) WHERE l <> 'Entity'][0] AS label, properties(n) AS props, degree, rels
