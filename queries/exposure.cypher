// Exposure questions. Each returns facts of the subject with, for the organization at the other
// end, its listings in effect at $as_of on lists in scope — directly or through up to three
// structure hops upward (part of / subsidiary of / supervised by / owned by a listed entity).
// Facts are kept when their period overlaps [$from, $to] (see queries/timing.py). Each statement
// answers for every subject in $ids (one subject, or a batch of a population sweep). Funding and
// co-authorship look only at organizations whose concern proximity (graph/proximity.py, a lower
// bound of hops to any listed entity) is within the three structure hops they follow, and every
// statement looks for listings only on entities whose concern proximity is 0 (listed now or before).

// name: listing_in_scope
// The listing scope every statement here shares (queries/exposure.py puts it where
// __LISTING_IN_SCOPE__ stands): a LISTED_ON `ls` of an entity `l` that is or was listed, to a
// watchlist `w` on the lists in $lists (all when null), in effect at $as_of.
l.concern_hops = 0 AND ($lists IS NULL OR w.id IN $lists)
AND ($as_of IS NULL OR ls.start IS NULL OR ls.start <= left($as_of, size(ls.start)))
AND ($as_of IS NULL OR ls.end IS NULL OR ls.end >= left($as_of, size(ls.end)))

// name: listing
// A listing as every statement here gives it (queries/exposure.py puts it where __LISTING__
// stands): the listed entity `l`, the structure hops of the path `lc` up to it, the watchlist `w`
// and the listing `ls`.
{entity_id: l.id, entity_name: coalesce(l.name, l.title), via: [y IN relationships(lc) WHERE type(y) <> 'LISTED_ON' | type(y)],
 watchlist_id: w.id, watchlist_name: coalesce(w.name, w.id), jurisdiction: w.jurisdiction, severity: w.severity,
 start: ls.start, end: ls.end, program: ls.program}

// name: talent_programs
// Participation of a person (or organization) in talent programs: an Organization of kind
// talent_program, or any program-like participation whose target is listed.
UNWIND $ids AS sid
MATCH (s:Entity {id: sid})-[r:PARTICIPATES_IN]->(o:Organization)
WHERE ($to IS NULL OR r.start IS NULL OR r.start <= left($to, size(r.start)))
  AND ($from IS NULL OR r.end IS NULL OR r.end >= left($from, size(r.end)))
CALL (o) {
  OPTIONAL MATCH lc = (o)-[:PART_OF|SUBSIDIARY_OF|SUPERVISED_BY|OWNED_BY*0..3]->(l:Entity)-[ls:LISTED_ON]->(w:Watchlist)
  WHERE __LISTING_IN_SCOPE__
  RETURN [x IN collect(CASE WHEN l IS NULL THEN NULL ELSE __LISTING__ END) WHERE x IS NOT NULL] AS listed
}
WITH s, r, o, listed WHERE o.kind = 'talent_program' OR size(listed) > 0
// One record for all the facts: every record costs the driver a round of socket reads.
RETURN collect({person_id: s.id,
                person_name: coalesce(s.name, s.title),
                relation: type(r),
                props: properties(r),
                entity_id: o.id,
                entity_name: o.name,
                entity_kind: o.kind,
                unresolved: coalesce(o.unresolved, false),
                listed: listed,
                chain: []}) AS rows

// name: funding
// Funding of the subject (person, organization, project, grant, contract) — directly, or
// through a grant it received — whose funder is listed or sits under a listed entity.
UNWIND $ids AS sid
MATCH (s:Entity {id: sid})
CALL (s) {
  MATCH (s)-[r:FUNDED_BY]->(o:Organization)
  RETURN r, o, [] AS chain
  UNION
  MATCH (s)-[g:RECEIVED]->(grant:Grant)-[r:FUNDED_BY]->(o:Organization)
  RETURN r, o, [{relation: 'RECEIVED', id: grant.id, name: coalesce(grant.title, grant.number), props: properties(g)}] AS chain
}
WITH s, r, o, chain
WHERE o.concern_hops <= 3
  AND ($to IS NULL OR r.start IS NULL OR r.start <= left($to, size(r.start)))
  AND ($from IS NULL OR r.end IS NULL OR r.end >= left($from, size(r.end)))
CALL (o) {
  OPTIONAL MATCH lc = (o)-[:PART_OF|SUBSIDIARY_OF|SUPERVISED_BY|OWNED_BY*0..3]->(l:Entity)-[ls:LISTED_ON]->(w:Watchlist)
  WHERE __LISTING_IN_SCOPE__
  RETURN [x IN collect(CASE WHEN l IS NULL THEN NULL ELSE __LISTING__ END) WHERE x IS NOT NULL] AS listed
}
WITH s, r, o, chain, listed WHERE size(listed) > 0
// One record for all the facts: every record costs the driver a round of socket reads.
RETURN collect({person_id: s.id,
                person_name: coalesce(s.name, s.title),
                relation: type(r),
                props: properties(r),
                entity_id: o.id,
                entity_name: o.name,
                entity_kind: o.kind,
                unresolved: coalesce(o.unresolved, false),
                listed: listed,
                chain: chain}) AS rows

// name: coauthorship
// Co-authors of a person, on publications dated within [$from, $to], who were affiliated with a
// listed entity (or an entity under one) in the publication's year. (A sweep asks
// coauthorship_listed instead.)
UNWIND $ids AS sid
MATCH (s:Entity:Person {id: sid})-[:AUTHORED]->(pub:Publication)<-[:AUTHORED]-(c:Person)
WHERE c <> s AND ($from IS NULL OR pub.year IS NULL OR pub.year >= toInteger(left($from, 4)))
  AND ($to IS NULL OR pub.year IS NULL OR pub.year <= toInteger(left($to, 4)))
MATCH (c)-[a:AFFILIATED_WITH]->(o:Organization)
WHERE o.concern_hops <= 3
  AND (pub.year IS NULL
   OR ((a.start IS NULL OR toInteger(left(a.start, 4)) <= pub.year) AND (a.end IS NULL OR toInteger(left(a.end, 4)) >= pub.year)))
// Many co-authorships share an organization: its listings are looked up once, not per co-authorship.
WITH o, collect([s, pub, c, a]) AS hits
CALL (o) {
  OPTIONAL MATCH lc = (o)-[:PART_OF|SUBSIDIARY_OF|SUPERVISED_BY|OWNED_BY*0..3]->(l:Entity)-[ls:LISTED_ON]->(w:Watchlist)
  WHERE __LISTING_IN_SCOPE__
  RETURN [x IN collect(CASE WHEN l IS NULL THEN NULL ELSE __LISTING__ END) WHERE x IS NOT NULL] AS listed
}
WITH o, hits, listed WHERE size(listed) > 0
UNWIND hits AS hit
WITH hit[0] AS s, hit[1] AS pub, hit[2] AS c, hit[3] AS a, o, listed
// One record for all the facts: every record costs the driver a round of socket reads.
RETURN collect({person_id: s.id,
                person_name: s.name,
                relation: 'AUTHORED',
                props: {start: toString(pub.year), end: toString(pub.year), confidence: a.confidence,
        ev_key: a.ev_key, ev_source: a.ev_source, ev_locator: a.ev_locator, ev_start: a.ev_start, ev_end: a.ev_end,
        ev_text: a.ev_text, ev_observed: a.ev_observed, ev_method: a.ev_method, ev_confidence: a.ev_confidence},
                entity_id: o.id,
                entity_name: o.name,
                entity_kind: o.kind,
                unresolved: coalesce(o.unresolved, false),
                listed: listed,
                chain: [{relation: 'AUTHORED', id: pub.id, name: pub.title, year: pub.year}, {relation: 'CO_AUTHOR', id: c.id, name: c.name},
        {relation: 'AFFILIATED_WITH', id: o.id, name: o.name, start: a.start, end: a.end}]}) AS rows

// name: coauthorship_listed
// The co-authorship question of a population sweep (queries.exposure.ListedOrganizations): the
// facts of coauthorship, for the organizations under a listing whose element ids are
// $org_elements (listed_organizations for the same $as_of and $lists: the caller has their
// listings). Given as tables — each fact as [subject, publication, co-author, affiliation] and
// every subject, publication, co-author and affiliation once — because a batch's facts repeat
// the same few affiliations and their evidence: writing and decoding them once per fact was
// most of this question's cost.
UNWIND $ids AS sid
MATCH (s:Entity:Person {id: sid})-[:AUTHORED]->(pub:Publication)<-[:AUTHORED]-(c:Person)
WHERE c <> s AND ($from IS NULL OR pub.year IS NULL OR pub.year >= toInteger(left($from, 4)))
  AND ($to IS NULL OR pub.year IS NULL OR pub.year <= toInteger(left($to, 4)))
MATCH (c)-[a:AFFILIATED_WITH]->(o:Organization)
WHERE elementId(o) IN $org_elements
  AND (pub.year IS NULL
   OR ((a.start IS NULL OR toInteger(left(a.start, 4)) <= pub.year) AND (a.end IS NULL OR toInteger(left(a.end, 4)) >= pub.year)))
WITH collect([sid, pub.id, c.id, elementId(a)]) AS facts, collect(DISTINCT s) AS subjects, collect(DISTINCT pub) AS publications,
     collect(DISTINCT c) AS coauthors, collect(DISTINCT [a, o]) AS affiliations
RETURN facts,
       [x IN subjects | [x.id, x.name]] AS subjects,
       [x IN publications | [x.id, x.title, x.year]] AS publications,
       [x IN coauthors | [x.id, x.name]] AS coauthors,
       [x IN affiliations | [elementId(x[0]), x[1].id, x[1].name, x[1].kind, coalesce(x[1].unresolved, false), x[0].start, x[0].end,
        {confidence: x[0].confidence, ev_key: x[0].ev_key, ev_source: x[0].ev_source, ev_locator: x[0].ev_locator, ev_start: x[0].ev_start,
         ev_end: x[0].ev_end, ev_text: x[0].ev_text, ev_observed: x[0].ev_observed, ev_method: x[0].ev_method,
         ev_confidence: x[0].ev_confidence}]] AS affiliations

// name: contracts
// Contracts of the subject with their counterparties (other parties, or only a name when the
// counterparty was never resolved) and the clauses the contract states.
UNWIND $ids AS sid
MATCH (s:Entity {id: sid})-[r:PARTY_TO]->(k:Contract)
WHERE ($to IS NULL OR coalesce(r.start, k.start) IS NULL OR coalesce(r.start, k.start) <= left($to, size(coalesce(r.start, k.start))))
  AND ($from IS NULL OR coalesce(r.end, k.end) IS NULL OR coalesce(r.end, k.end) >= left($from, size(coalesce(r.end, k.end))))
OPTIONAL MATCH (o:Organization)-[:PARTY_TO]->(k) WHERE o <> s
CALL (o) {
  OPTIONAL MATCH lc = (o)-[:PART_OF|SUBSIDIARY_OF|SUPERVISED_BY|OWNED_BY*0..3]->(l:Entity)-[ls:LISTED_ON]->(w:Watchlist)
  WHERE o IS NOT NULL AND __LISTING_IN_SCOPE__
  RETURN [x IN collect(CASE WHEN l IS NULL THEN NULL ELSE __LISTING__ END) WHERE x IS NOT NULL] AS listed
}
// One record for all the facts: every record costs the driver a round of socket reads.
RETURN collect({person_id: s.id,
                person_name: coalesce(s.name, s.title),
                relation: 'PARTY_TO',
                props: r {.*, start: coalesce(r.start, k.start), end: coalesce(r.end, k.end)},
                entity_id: o.id,
                entity_name: coalesce(o.name, k.counterparty_name),
                entity_kind: o.kind,
                unresolved: (o IS NULL OR coalesce(o.unresolved, false)),
                listed: listed,
                chain: [{relation: 'PARTY_TO', id: k.id, name: coalesce(k.title, k.id), kind: k.kind, clauses: coalesce(k.clauses, [])}]}) AS rows

// name: listed_organizations
// Every organization that is listed, or sits under a listed entity through up to three
// structure hops upward, on lists in scope with the listing in effect at $as_of — with those
// listings, as the exposure statements give them. Walked down from the listings: a few thousand
// on a national-scale graph, where a batch of co-authorships reaches tens of thousands of
// organizations that concern proximity alone cannot rule out.
MATCH (l:Entity)-[ls:LISTED_ON]->(w:Watchlist)
WHERE __LISTING_IN_SCOPE__
MATCH lc = (o:Organization)-[:PART_OF|SUBSIDIARY_OF|SUPERVISED_BY|OWNED_BY*0..3]->(l)
WITH o, collect(__LISTING__) AS listed
RETURN collect({id: o.id, element: elementId(o), listed: listed}) AS organizations
