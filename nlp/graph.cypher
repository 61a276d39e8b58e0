// name: organization_names
// Every organization with its names and acronyms in every script: the gazetteer's source.
MATCH (o:Organization)
RETURN o.id AS id, o.name AS name, coalesce(o.names, []) + coalesce(o.acronyms, []) AS names,
       o.kind AS kind, o.ror AS ror, coalesce(o.unresolved, false) AS unresolved
ORDER BY o.id

// name: fulltext_organizations
// Candidate organizations for a name the exact look-up could not resolve.
CALL db.index.fulltext.queryNodes('entity_names', $lucene) YIELD node, score
WHERE node:Organization AND coalesce(node.unresolved, false) = false
RETURN node.id AS id, node.name AS name, coalesce(node.names, []) + coalesce(node.acronyms, []) AS names, score
ORDER BY score DESC, id
LIMIT $limit

// name: subject_disclosures
// Earlier submissions of one subject, newest first (versioning).
MATCH (p:Person {id: $subject_id})-[:SUBMITTED]->(d:Disclosure)
RETURN d.id AS id, d.version AS version, d.checksum AS checksum, coalesce(d.superseded, false) AS superseded
ORDER BY d.version DESC

// name: organizations_by_id
// Which of these ids already exist as organizations (so existing nodes are linked, not rewritten).
UNWIND $ids AS id
MATCH (o:Organization {id: id})
RETURN o.id AS id, o.name AS name, o.ror AS ror
