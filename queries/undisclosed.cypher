// name: latest_disclosure
// Each person's latest disclosure that is not superseded (highest version, then latest
// submission), submitted on or before $as_of when given.
UNWIND $ids AS pid
MATCH (p:Entity:Person {id: pid})
CALL (p) {
  MATCH (p)-[:SUBMITTED]->(d:Disclosure)
  WHERE coalesce(d.superseded, false) = false
    AND ($as_of IS NULL OR d.submitted_at IS NULL OR d.submitted_at <= $as_of + 'T99')
  RETURN d
  ORDER BY coalesce(d.version, 0) DESC, coalesce(d.submitted_at, '') DESC
  LIMIT 1
}
RETURN p.id AS person_id, d.id AS id, d.version AS version, d.submitted_at AS submitted_at, d.document AS document

// name: own_disclosures
// Every disclosure each person ever submitted (their evidence is not open-source evidence).
UNWIND $ids AS pid
MATCH (p:Entity:Person {id: pid})-[:SUBMITTED]->(d:Disclosure)
RETURN p.id AS person_id, collect(d.id) AS ids

// name: person_links
// Each person's (of $ids) disclosable links: appointments, advisory roles, program participation, support
// and contracts. `counterparties` are the organizations the link is with — the organization
// itself, a grant's funders, a contract's other parties — plus their decided SAME_AS twins, so
// that "same resolved organization" compares resolved identities.
UNWIND $ids AS pid
MATCH (p:Entity:Person {id: pid})-[r:AFFILIATED_WITH|ADVISES|PARTICIPATES_IN|FUNDED_BY|RECEIVED|PARTY_TO]->(x:Entity)
CALL (x) {
  OPTIONAL MATCH (x:Grant)-[:FUNDED_BY]->(f:Organization)
  WITH x, collect(f) AS funders
  OPTIONAL MATCH (x:Contract)<-[:PARTY_TO]-(o:Organization)
  WITH x, funders, collect(o) AS parties
  WITH CASE WHEN x:Organization THEN [x] ELSE funders + parties END AS orgs
  UNWIND (CASE WHEN size(orgs) = 0 THEN [NULL] ELSE orgs END) AS org
  OPTIONAL MATCH (org)-[same:SAME_AS]-(twin:Organization) WHERE same.decision = 'same'
  RETURN [o IN collect(DISTINCT org) + collect(DISTINCT twin) WHERE o IS NOT NULL | o.id] AS counterparties,
         [o IN collect(DISTINCT org) WHERE o IS NOT NULL | o.name] AS counterparty_names
}
CALL (x) {
  OPTIONAL MATCH lc = (x)-[:PART_OF|SUBSIDIARY_OF|SUPERVISED_BY|OWNED_BY|FUNDED_BY*0..3]->(l:Entity)-[ls:LISTED_ON]->(w:Watchlist)
  WHERE ($as_of IS NULL OR ls.start IS NULL OR ls.start <= left($as_of, size(ls.start)))
    AND ($as_of IS NULL OR ls.end IS NULL OR ls.end >= left($as_of, size(ls.end)))
  RETURN [y IN collect(DISTINCT w.id) WHERE y IS NOT NULL] AS list_ids
}
RETURN p.id AS person_id, type(r) AS relation, properties(r) AS props, x.id AS target_id, coalesce(x.name, x.title) AS target_name,
       [l IN labels(x) WHERE l <> 'Entity'][0] AS target_label, x.kind AS target_kind,
       counterparties, counterparty_names, list_ids
