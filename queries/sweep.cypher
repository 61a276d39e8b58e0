// Sweeps (ingest/sweep): bookkeeping reads and named populations. Parameters only.

// name: running_sweep
MATCH (s:Sweep {definition_id: $definition_id})
WHERE s.status = 'running'
RETURN s {.*} AS sweep
ORDER BY s.started_at DESC
LIMIT 1

// name: last_completed_sweep
MATCH (s:Sweep {definition_id: $definition_id})
WHERE s.status = 'completed' AND s.id <> $exclude_id
RETURN s {.*} AS sweep
ORDER BY s.finished_at DESC, s.started_at DESC
LIMIT 1

// name: sweep_by_id
MATCH (s:Entity:Sweep {id: $id})
RETURN s {.*} AS sweep

// name: sweeps
MATCH (s:Sweep)
WHERE $definition_id IS NULL OR s.definition_id = $definition_id
RETURN s {.*} AS sweep
ORDER BY s.started_at DESC, s.id
SKIP $skip
LIMIT $limit

// name: done_subjects
MATCH (r:SweepResult {sweep_id: $sweep_id})
RETURN r.subject_id AS subject_id

// name: count_results
MATCH (r:SweepResult {sweep_id: $sweep_id})
RETURN count(r) AS done, count(CASE WHEN r.status = 'error' THEN 1 END) AS errors

// name: sweep_results
// The stored results of the subjects in $subjects of a sweep, ordered by subject id
// (queries/sweep.py pages a sweep by lists of its subject ids), with where each one's findings
// are: a frame of a file in the sweep's results folder, or (sweeps stored before 2026-12-02)
// the findings property itself.
OPTIONAL MATCH (s:Entity:Sweep {id: $sweep_id})
WITH s.results_dir AS results_dir
MATCH (r:SweepResult {sweep_id: $sweep_id})
WHERE r.subject_id IN $subjects
RETURN r.subject_id AS subject_id, r.subject_name AS subject_name, r.status AS status, r.error AS error,
       r.tier AS tier, r.recommendation AS recommendation, r.findings AS findings,
       results_dir, r.findings_file AS findings_file, r.findings_offset AS findings_offset,
       r.findings_length AS findings_length
ORDER BY r.subject_id

// name: results_files
// The results files a sweep's SweepResults name (the others in its folder are left-overs).
MATCH (r:SweepResult {sweep_id: $sweep_id})
WHERE r.findings_file IS NOT NULL
RETURN DISTINCT r.findings_file AS file

// name: population_disclosures
MATCH (p:Person)-[:SUBMITTED]->(:Disclosure)
RETURN DISTINCT p.id AS id
ORDER BY id

// name: population_all_people
MATCH (p:Person)
RETURN p.id AS id
ORDER BY id

// name: population_all_organizations
MATCH (o:Organization)
WHERE NOT EXISTS { (o)-[:LISTED_ON]->(:Watchlist) }
RETURN o.id AS id
ORDER BY id

// name: population_people_with_affiliations
MATCH (p:Person)
WHERE EXISTS { (p)-[:AFFILIATED_WITH]->(:Organization) }
RETURN p.id AS id
ORDER BY id

// name: count_sweeps
MATCH (s:Sweep)
WHERE $definition_id IS NULL OR s.definition_id = $definition_id
RETURN count(s) AS total
