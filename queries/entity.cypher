// name: entity
// One entity with its properties, and its relationships (capped) with their evidence.
MATCH (n:Entity {id: $id})
OPTIONAL MATCH (n)-[r]-(m:Entity)
WHERE NOT type(r) IN $hidden_types
WITH n, r, m ORDER BY type(r), m.id
WITH n, count(r) AS degree,
     collect(CASE WHEN r IS NULL THEN NULL ELSE {
       type: type(r), outgoing: startNode(r) = n, props: properties(r),
       other: {id: m.id, label: [l IN labels(m) WHERE l <> 'Entity'][0], name: coalesce(m.name, m.title)}
     } END)[..$limit] AS rels
RETURN [l IN labels(n) WHERE l <> 'Entity'][0] AS label, properties(n) AS props, degree, rels
