// name: append
// Appends $rows if the chain head is where the caller last saw it ($expected_seq, $expected_hash).
// Setting h.locked_at first takes the head's write lock, so appends from every API process are
// serialized here and the chain never forks. When another process appended in between, nothing
// is written and the head as found is returned: the caller re-chains its rows onto it and runs
// this again in the same transaction, still holding the lock.
MERGE (h:AuditHead {id: 'audit-head'})
ON CREATE SET h.seq = 0, h.hash = $genesis
SET h.locked_at = $at
WITH h, h.seq AS found_seq, h.hash AS found_hash
WITH h, found_seq, found_hash, (found_seq = $expected_seq AND found_hash = $expected_hash) AS ok
FOREACH (row IN CASE WHEN ok THEN $rows ELSE [] END | CREATE (a:AuditEntry) SET a = row)
SET h.seq = CASE WHEN ok THEN $seq ELSE found_seq END, h.hash = CASE WHEN ok THEN $hash ELSE found_hash END
RETURN ok, found_seq AS seq, found_hash AS hash

// name: page
CALL () { MATCH (a:AuditEntry) WHERE ($person_id IS NULL OR a.person_id = $person_id) AND ($actor IS NULL OR a.actor = $actor) RETURN count(*) AS total }
CALL () {
  MATCH (a:AuditEntry) WHERE ($person_id IS NULL OR a.person_id = $person_id) AND ($actor IS NULL OR a.actor = $actor)
  WITH a ORDER BY a.seq DESC SKIP $skip LIMIT $limit
  RETURN collect(properties(a)) AS items
}
RETURN total, items

// name: chain
MATCH (a:AuditEntry)
WHERE a.seq > $after_seq
RETURN properties(a) AS entry ORDER BY a.seq LIMIT $limit

// name: head
MATCH (h:AuditHead {id: 'audit-head'})
RETURN h.seq AS seq, h.hash AS hash
