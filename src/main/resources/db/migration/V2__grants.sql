-- Grants (CreateGrant ... RevokeGrant). Portable SQL only, as in V1.

CREATE TABLE grants (
  grant_id          TEXT    NOT NULL PRIMARY KEY,
  key_id            TEXT    NOT NULL REFERENCES keys (key_id),
  -- The key's account and region, so that ListRetirableGrants needs no join.
  account           TEXT    NOT NULL,
  region            TEXT    NOT NULL,
  name              TEXT,
  grantee_principal TEXT    NOT NULL,
  retiring_principal TEXT,
  -- Grant operation names joined by ',' (the names hold no comma).
  operations        TEXT    NOT NULL,
  -- 1 when the grant has that constraint (possibly with no pairs), else 0; pairs in grant_constraints.
  context_equals    INTEGER NOT NULL,
  context_subset    INTEGER NOT NULL,
  issuing_account   TEXT    NOT NULL,
  creation_date     BIGINT  NOT NULL
);

-- ListGrants and authorization read the grants of one key.
CREATE INDEX grants_by_key ON grants (key_id, grant_id);

-- ListRetirableGrants pages through one retiring principal's grants of a region.
CREATE INDEX grants_by_retiring_principal ON grants (region, retiring_principal, grant_id);

CREATE TABLE grant_constraints (
  grant_id        TEXT NOT NULL REFERENCES grants (grant_id),
  -- EncryptionContextEquals or EncryptionContextSubset.
  constraint_type TEXT NOT NULL,
  context_key     TEXT NOT NULL,
  context_value   TEXT NOT NULL,
  PRIMARY KEY (grant_id, constraint_type, context_key)
);

-- Every CreateGrant answer carries a new token, also when it names an existing grant, so a grant
-- may have several. Only a SHA-256 of each token is kept: the table alone cannot be replayed.
CREATE TABLE grant_tokens (
  token_hash TEXT NOT NULL PRIMARY KEY,
  grant_id   TEXT NOT NULL REFERENCES grants (grant_id)
);

CREATE INDEX grant_tokens_by_grant ON grant_tokens (grant_id);
