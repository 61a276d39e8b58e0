// name: create_decision
// Decisions are never overwritten: each is a new record; the latest one is in force.
CREATE (d:Decision)
SET d = $row
RETURN properties(d) AS d

// name: decisions_for
UNWIND $ids AS target
CALL (target) {
  MATCH (d:Decision {subject_id: target}) WHERE d.finding_id IS NULL RETURN d
  UNION
  MATCH (d:Decision {finding_id: target}) RETURN d
}
RETURN target, properties(d) AS d ORDER BY d.decided_at DESC, d.id

// name: create_response
CREATE (r:Response)
SET r = $row
RETURN properties(r) AS r

// name: responses_for
UNWIND $ids AS target
CALL (target) {
  MATCH (r:Response {subject_id: target}) WHERE r.finding_id IS NULL RETURN r
  UNION
  MATCH (r:Response {finding_id: target}) RETURN r
}
RETURN target, properties(r) AS r ORDER BY r.recorded_at DESC, r.id

// name: findings_page
CALL () { MATCH (f:Finding) WHERE $subject_id IS NULL OR f.subject_id = $subject_id RETURN count(*) AS total }
CALL () {
  MATCH (f:Finding) WHERE $subject_id IS NULL OR f.subject_id = $subject_id
  WITH f ORDER BY f.severity DESC, f.id SKIP $skip LIMIT $limit
  RETURN collect(properties(f)) AS items
}
RETURN total, items

// name: finding
MATCH (f:Entity:Finding {id: $id})
RETURN f.subject_id AS subject_id
