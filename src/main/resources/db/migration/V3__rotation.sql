-- Key rotation and the usage counts of key materials (issue 14, items 1 and 2). Portable SQL only, as in V1.
-- No foreign keys to keys/key_materials: V1's deleteKey does not know these tables, so the rows of a
-- deleted key are removed by the deletion itself (Reconciler) before the key row.

-- One row per key with automatic rotation enabled (EnableKeyRotation); DisableKeyRotation removes it.
CREATE TABLE key_rotation_schedules (
  key_id               TEXT    NOT NULL PRIMARY KEY,
  rotation_period_days INTEGER NOT NULL,
  next_rotation_date   BIGINT  NOT NULL
);

-- The rotation sweep looks for schedules that are due.
CREATE INDEX key_rotation_schedules_by_date ON key_rotation_schedules (next_rotation_date);

-- One row per rotation: the material it made. rotation_state 'Creating' while the HSM object may not
-- exist yet (at most one per key), 'Completed' once the material is the key's current one.
-- rotation_seq numbers a key's rotations 1, 2, ... in the order they were claimed (dates may tie).
CREATE TABLE key_rotations (
  material_id    TEXT   NOT NULL PRIMARY KEY,
  key_id         TEXT   NOT NULL,
  rotation_seq   BIGINT NOT NULL,
  rotation_type  TEXT   NOT NULL,
  rotation_state TEXT   NOT NULL,
  rotation_date  BIGINT NOT NULL
);

-- ListKeyRotations lists one key's rotations in order.
CREATE UNIQUE INDEX key_rotations_by_key ON key_rotations (key_id, rotation_seq);

-- AES-GCM encryptions reserved per material: always at least the number made (see docs/rotation.md).
CREATE TABLE material_usage (
  material_id TEXT   NOT NULL PRIMARY KEY,
  encryptions BIGINT NOT NULL
);
