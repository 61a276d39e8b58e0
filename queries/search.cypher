// name: fulltext
// Full-text search over names and aliases in every script (CJK-aware analyzer).
CALL db.index.fulltext.queryNodes('entity_names', $lucene) YIELD node, score
WHERE $labels IS NULL OR any(l IN labels(node) WHERE l IN $labels)
RETURN node.id AS id, [l IN labels(node) WHERE l <> 'Entity'][0] AS label,
       coalesce(node.name, node.title) AS name, node.names AS names, node.kind AS kind, score
ORDER BY score DESC, id
SKIP $skip LIMIT $limit

// name: by_identifier
// Exact look-up by a known identifier (ROR, ORCID, DOI, ...). One index seek per identifier
// (a single OR over properties of :Entity would scan every node).
CALL () {
  MATCH (node:Entity {id: $q}) RETURN node
  UNION MATCH (node:Organization {ror: $q}) RETURN node
  UNION MATCH (node:Organization {wikidata: $q}) RETURN node
  UNION MATCH (node:Person {orcid: $q}) RETURN node
  UNION MATCH (node:Publication {doi: $q}) RETURN node
}
WITH node WHERE NOT node:PersonalData
RETURN node.id AS id, [l IN labels(node) WHERE l <> 'Entity'][0] AS label,
       coalesce(node.name, node.title) AS name, node.names AS names, node.kind AS kind, 100.0 AS score
LIMIT $limit
