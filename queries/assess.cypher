// name: subject_context
// The assessed subjects ($ids): a Person, an Organization or a Project. For a project: its team
// members (MEMBER_OF overlapping [$from, $to]) and its technology areas (IN_AREA and the stated list).
UNWIND $ids AS sid
MATCH (s:Entity {id: sid}) WHERE NOT s:PersonalData
OPTIONAL MATCH (m:Person)-[r:MEMBER_OF]->(s)
WHERE ($to IS NULL OR r.start IS NULL OR r.start <= left($to, size(r.start)))
  AND ($from IS NULL OR r.end IS NULL OR r.end >= left($from, size(r.end)))
WITH s, collect(DISTINCT {id: m.id, name: m.name, role: r.role}) AS members
OPTIONAL MATCH (s)-[:IN_AREA]->(t:TechnologyArea)
RETURN s.id AS id, [x IN labels(s) WHERE x <> 'Entity'][0] AS label, coalesce(s.name, s.title) AS name,
       [m IN members WHERE m.id IS NOT NULL] AS members,
       [a IN collect(DISTINCT t) WHERE a IS NOT NULL | {id: a.id, name: a.name, scheme: a.scheme}] AS areas,
       coalesce(s.technology_areas, []) AS stated_areas

// name: coverage
// What the graph knows about each subject beyond its disclosures: identifiers, links with
// open-source evidence, links stated by a disclosure, publications, disclosures on file.
UNWIND $ids AS sid
MATCH (s:Entity {id: sid})
OPTIONAL MATCH (s)-[d:SUBMITTED]->(:Disclosure)
WITH s, count(d) AS disclosures
CALL (s) {
  OPTIONAL MATCH (s)-[r]-(:Entity)
  WHERE type(r) IN $counted_types
  RETURN count(CASE WHEN any(m IN coalesce(r.ev_method, []) WHERE NOT m STARTS WITH 'disclosure') THEN 1 END) AS open_links,
         count(CASE WHEN any(m IN coalesce(r.ev_method, []) WHERE m STARTS WITH 'disclosure') THEN 1 END) AS disclosed_links,
         count(CASE WHEN type(r) = 'AUTHORED' THEN 1 END) AS publications
}
RETURN s.id AS id, [x IN labels(s) WHERE x <> 'Entity'][0] AS label, disclosures, open_links, disclosed_links, publications,
       [k IN ['orcid', 'openalex', 'kaken_id', 'erad_id', 'nih_person_id', 'ror', 'wikidata', 'grid', 'lei', 'fundref', 'isni'] WHERE s[k] IS NOT NULL] AS identifiers
