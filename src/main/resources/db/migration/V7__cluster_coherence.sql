-- Several nodes on one database (PostgreSQL). Portable SQL only, as in V1.

-- Every change of a key row is a compare-and-set on its version: an UPDATE names the version it
-- read and raises it by one, so two nodes that read the same row cannot both write it.
ALTER TABLE keys ADD COLUMN version BIGINT NOT NULL DEFAULT 0;

-- How many write transactions each node has committed, in a few rows per node (a node's
-- concurrent writes pick a slot at random, so that they seldom update the same row). Every write
-- that changes rows a node caches adds one in the same transaction, and nothing ever subtracts:
-- the sum grows with each commit, so a node that polls it sees any commit since its last poll,
-- even one whose notification (pg_notify) it lost. Not written on SQLite (one process).
CREATE TABLE cluster_changes (
  node_id TEXT    NOT NULL,
  slot    INTEGER NOT NULL,
  changes BIGINT  NOT NULL,
  PRIMARY KEY (node_id, slot)
);
