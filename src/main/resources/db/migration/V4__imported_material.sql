-- Imported key material (Origin EXTERNAL). Portable SQL only (see V1). No foreign keys to `keys`:
-- the rows of a deleted key are removed by the import sweep, so DeleteKey need not know them.

-- GetParametersForImport: the wrapping key pair made in the HSM, and what the ImportToken (kept
-- only as its SHA-256) is bound to.
CREATE TABLE import_parameters (
  token_hash             TEXT    NOT NULL PRIMARY KEY,
  key_id                 TEXT    NOT NULL,
  wrapping_key_id        TEXT    NOT NULL,
  wrapping_algorithm     TEXT    NOT NULL,
  wrapping_key_spec      TEXT    NOT NULL,
  valid_to               BIGINT  NOT NULL,
  wrapping_key_destroyed INTEGER NOT NULL
);

-- The sweep destroys wrapping keys whose validity ended.
CREATE INDEX import_parameters_by_valid_to ON import_parameters (valid_to);

-- A key's imported material: the fingerprint of the first import (a re-import must match it) and
-- the expiration of the import in effect.
CREATE TABLE imported_materials (
  key_id           TEXT   NOT NULL PRIMARY KEY,
  fingerprint      TEXT   NOT NULL,
  expiration_model TEXT   NOT NULL,
  valid_to         BIGINT,
  import_date      BIGINT NOT NULL
);

-- The sweep expires materials whose ValidTo has passed.
CREATE INDEX imported_materials_by_valid_to ON imported_materials (valid_to);
