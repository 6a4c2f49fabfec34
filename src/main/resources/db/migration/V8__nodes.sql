-- Several nodes on one database (issue 15): who is alive, and which node owns half-finished work.
-- Portable SQL only (see V1). Times here are the database's own clock (epoch millis), never a
-- node's, so that the clocks of the nodes need not agree.

-- One row per running process, written at its start under a fresh random id, its heartbeat
-- moved on every cluster.heartbeatSeconds; a clean stop removes it. A node whose heartbeat is
-- older than cluster.leaseSeconds is dead, and so is a node that has no row.
CREATE TABLE nodes (
  node_id      TEXT   NOT NULL PRIMARY KEY,
  -- host name and process id, for operators (never a secret).
  description  TEXT   NOT NULL,
  started_at   BIGINT NOT NULL,
  heartbeat_at BIGINT NOT NULL
);

-- The node that owns a key row's unfinished work (Creating, Deleting, an import into a
-- PendingImport key) and an unfinished rotation: set in the transaction that writes the row.
-- NULL for rows written before this version or by a process that is its store's only node.
-- Start-up repair and the periodic reconciliation leave rows owned by a live node alone.
ALTER TABLE keys ADD COLUMN owner_node TEXT;
ALTER TABLE key_rotations ADD COLUMN owner_node TEXT;

-- Work that has no row of its own while it is in flight (a wrapping key pair made by
-- GetParametersForImport before its parameters are written): taken before the HSM call,
-- released after the row is written; a dead node's leases are forgotten.
CREATE TABLE work_leases (
  work_id  TEXT   NOT NULL PRIMARY KEY,
  node_id  TEXT   NOT NULL,
  taken_at BIGINT NOT NULL
);
