// name: organizations
MATCH (o:Organization)
WHERE $ids IS NULL OR o.id IN $ids
OPTIONAL MATCH (o)-[:PART_OF|SUBSIDIARY_OF|SUPERVISED_BY]->(p:Organization)
WITH o, [x IN collect(DISTINCT p.id) WHERE x IS NOT NULL] + [x IN collect(DISTINCT p.name) WHERE x IS NOT NULL] AS parents
RETURN o.id AS id, o.name AS name, coalesce(o.names, []) AS names, coalesce(o.acronyms, []) AS acronyms,
       o.city AS city, o.country AS country, o.kind AS kind, coalesce(o.types, []) AS types, parents,
       o.ror AS ror, o.fundref AS fundref, o.wikidata AS wikidata, o.grid AS grid, o.isni AS isni,
       o.lei AS lei, o.openalex AS openalex, o.resolution_fingerprint AS fingerprint, o.last_seen AS last_seen

// name: persons
MATCH (p:Person)
WHERE $ids IS NULL OR p.id IN $ids
OPTIONAL MATCH (p)-[:AFFILIATED_WITH|ADVISES|PARTICIPATES_IN]->(o:Organization)
WITH p, [x IN collect(DISTINCT o.id) WHERE x IS NOT NULL] + [x IN collect(DISTINCT o.name) WHERE x IS NOT NULL] AS affiliations
OPTIONAL MATCH (p)-[:AUTHORED]->(w:Publication)
WITH p, affiliations, collect(DISTINCT w) AS works
CALL (p, works) {
  UNWIND works AS w
  OPTIONAL MATCH (w)<-[:AUTHORED]-(c:Person) WHERE c <> p
  RETURN ([x IN collect(DISTINCT c.id) WHERE x IS NOT NULL] + [x IN collect(DISTINCT c.name) WHERE x IS NOT NULL])[..400] AS coauthors,
         [x IN collect(DISTINCT w.year) WHERE x IS NOT NULL] AS years
}
RETURN p.id AS id, p.name AS name, coalesce(p.names, []) AS names, affiliations, coauthors, years,
       p.orcid AS orcid, p.kaken_id AS kaken_id, p.erad_id AS erad_id, p.openalex AS openalex,
       p.nih_person_id AS nih_person_id, p.resolution_fingerprint AS fingerprint, p.last_seen AS last_seen

// name: same_as
MATCH (a:Entity)-[r:SAME_AS]->(b:Entity)
RETURN a.id AS a, b.id AS b, r.decision AS decision, r.score AS score, r.decided_by AS decided_by,
       r.decided_at AS decided_at, r.rationale AS rationale, r.candidate AS candidate

// name: same_as_pair
MATCH (a:Entity {id: $a})-[r:SAME_AS]->(b:Entity {id: $b})
RETURN r.decision AS decision, r.score AS score, r.explanation AS explanation, r.decided_by AS decided_by,
       r.decided_at AS decided_at, r.rationale AS rationale, r.candidate AS candidate,
       r.ev_locator AS history, r.ev_text AS history_text

// name: labels
MATCH (n:Entity) WHERE n.id IN $ids
RETURN n.id AS id, [l IN labels(n) WHERE l IN ['Organization', 'Person']] AS labels

// name: listed
MATCH (e:Entity)-[l:LISTED_ON]->(w:Watchlist)
WHERE (e:Organization OR e:Person) AND ($lists IS NULL OR w.id IN $lists OR w.name IN $lists)
WITH e, collect({watchlist_id: w.id, watchlist: w.name, jurisdiction: w.jurisdiction, start: l.start, end: l.end,
                 reason: l.reason, program: l.program, listed_name: l.listed_name}) AS listings
// names of entities decided to be the same (e.g. the ROR record of a listed university)
OPTIONAL MATCH (e)-[s:SAME_AS]-(same:Entity) WHERE s.decision = 'same'
WITH e, listings, collect(same) AS sames
RETURN e.id AS id, CASE WHEN e:Person THEN 'person' ELSE 'org' END AS kind, e.name AS name,
       coalesce(e.names, []) + reduce(acc = [], x IN sames | acc + coalesce(x.names, []) + [x.name]) AS names,
       coalesce(e.acronyms, []) + reduce(acc = [], x IN sames | acc + coalesce(x.acronyms, [])) AS acronyms, listings,
       e.ror AS ror, e.wikidata AS wikidata, e.lei AS lei, e.orcid AS orcid, e.country AS country, e.city AS city

// name: watchlists
MATCH (w:Watchlist) RETURN w.id AS id, w.name AS name ORDER BY w.id

// name: listed_stamp
// Count-store lookups (constant time): a change means the screening index must be rebuilt.
CALL { MATCH ()-[l:LISTED_ON]->() RETURN count(l) AS listings }
CALL { MATCH ()-[s:SAME_AS]->() RETURN count(s) AS same }
RETURN listings, same
