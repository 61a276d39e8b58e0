// name: fulltext
// Full-text search over names and aliases in every script (CJK-aware analyzer).
CALL db.index.fulltext.queryNodes('entity_names', $lucene) YIELD node, score
WHERE $labels IS NULL OR any(l IN labels(node) WHERE l IN $labels)
RETURN node.id AS id, [l IN labels(node) WHERE l <> 'Entity'][0] AS label,
       coalesce(node.name, node.title) AS name, node.names AS names, node.kind AS kind, score
ORDER BY score DESC, id
SKIP $skip LIMIT $limit

// name: by_identifier
// Exact look-up by a known identifier (ROR, ORCID, DOI, ...).
MATCH (node:Entity)
WHERE node.id = $q OR node.ror = $q OR node.orcid = $q OR node.doi = $q OR node.wikidata = $q
RETURN node.id AS id, [l IN labels(node) WHERE l <> 'Entity'][0] AS label,
       coalesce(node.name, node.title) AS name, node.names AS names, node.kind AS kind, 100.0 AS score
LIMIT $limit
