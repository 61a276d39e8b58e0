// name: lock_head
// The single chain head: taking its write lock serializes appends across every API process,
// so sequence numbers and the hash chain never fork.
MERGE (h:AuditHead {id: 'audit-head'})
ON CREATE SET h.seq = 0, h.hash = $genesis
SET h.locked_at = $at
RETURN h.seq AS seq, h.hash AS hash

// name: append
UNWIND $rows AS row
CREATE (a:AuditEntry)
SET a = row
WITH count(a) AS written
MATCH (h:AuditHead {id: 'audit-head'})
SET h.seq = $seq, h.hash = $hash
RETURN written

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
