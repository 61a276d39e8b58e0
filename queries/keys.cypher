// name: create
// An API key record: only the key's public id and its peppered hash are stored.
CREATE (k:ApiKey {id: $id, key_id: $key_id, name: $name, role: $role, key_hash: $key_hash, created_at: $created_at})
RETURN k.key_id AS key_id

// name: get
MATCH (k:ApiKey {key_id: $key_id})
RETURN k.key_id AS key_id, k.name AS name, k.role AS role, k.key_hash AS key_hash,
       k.created_at AS created_at, k.revoked_at AS revoked_at

// name: list
MATCH (k:ApiKey)
RETURN k.key_id AS key_id, k.name AS name, k.role AS role, k.created_at AS created_at, k.revoked_at AS revoked_at
ORDER BY k.created_at, k.key_id

// name: revoke
MATCH (k:ApiKey {key_id: $key_id})
SET k.revoked_at = coalesce(k.revoked_at, $at)
RETURN k.key_id AS key_id, k.revoked_at AS revoked_at
