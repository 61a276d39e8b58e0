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
MATCH (p:Entity:Person {id: $subject_id})-[:SUBMITTED]->(d:Disclosure)
RETURN d.id AS id, d.version AS version, d.checksum AS checksum, coalesce(d.superseded, false) AS superseded
ORDER BY d.version DESC

// name: organizations_by_id
// Which of these ids already exist as organizations (so existing nodes are linked, not rewritten).
UNWIND $ids AS id
MATCH (o:Entity:Organization {id: id})
RETURN o.id AS id, o.name AS name, o.ror AS ror

// name: disclosure_record
// One disclosure (by $id, or $person_id's latest not superseded) with the person's relationships
// it evidences; for a grant or contract, the organization on its other side.
CALL {
  MATCH (p:Person)-[:SUBMITTED]->(d:Entity:Disclosure {id: $id}) RETURN p, d
  UNION
  MATCH (p:Entity:Person {id: $person_id})-[:SUBMITTED]->(d:Disclosure)
  WHERE $id IS NULL AND coalesce(d.superseded, false) = false RETURN p, d
}
WITH p, d ORDER BY coalesce(d.version, 0) DESC LIMIT 1
OPTIONAL MATCH (p)-[r]->(x:Entity) WHERE d.id IN coalesce(r.ev_source, []) AND type(r) <> 'SUBMITTED'
OPTIONAL MATCH (x)-[:FUNDED_BY|PARTY_TO]-(o:Organization) WHERE NOT x:Organization
WITH p, d, r, x, head(collect(o)) AS via
WITH p, d, r, coalesce(via, x) AS org
RETURN p.id AS person_id, p.name AS person_name, properties(d) AS disclosure,
       [s IN collect(CASE WHEN r IS NULL THEN null ELSE {type: type(r), props: properties(r), org_id: org.id, org_name: org.name,
                                                          org_label: [l IN labels(org) WHERE l <> 'Entity'][0]} END) WHERE s IS NOT NULL] AS statements
