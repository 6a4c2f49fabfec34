-- Portable SQL only (SQLite and PostgreSQL): TEXT for strings, BIGINT epoch millis for
-- instants, no AUTOINCREMENT/WITHOUT ROWID/PRAGMA. Statements end with ';' and contain none inside.

CREATE TABLE keys (
  key_id              TEXT    NOT NULL PRIMARY KEY,
  account             TEXT    NOT NULL,
  region              TEXT    NOT NULL,
  key_state           TEXT    NOT NULL,
  key_spec            TEXT,
  key_usage           TEXT,
  origin              TEXT,
  description         TEXT    NOT NULL,
  policy              TEXT,
  creation_date       BIGINT  NOT NULL,
  deletion_date       BIGINT,
  pending_window_days INTEGER,
  -- No foreign key to key_materials: the two tables would reference each other, which
  -- PostgreSQL cannot declare in CREATE TABLE without deferred constraints.
  current_material_id TEXT
);

-- ListKeys pages through one account and region in key id order.
CREATE INDEX keys_by_account_region ON keys (account, region, key_id);

-- Start-up reconciliation and the deletion sweeper look keys up by state.
CREATE INDEX keys_by_state ON keys (key_state);

CREATE TABLE key_materials (
  material_id   TEXT   NOT NULL PRIMARY KEY,
  key_id        TEXT   NOT NULL REFERENCES keys (key_id),
  creation_date BIGINT NOT NULL
);

CREATE INDEX key_materials_by_key ON key_materials (key_id);

CREATE TABLE aliases (
  account           TEXT   NOT NULL,
  region            TEXT   NOT NULL,
  alias_name        TEXT   NOT NULL,
  target_key_id     TEXT   NOT NULL REFERENCES keys (key_id),
  creation_date     BIGINT NOT NULL,
  last_updated_date BIGINT NOT NULL,
  PRIMARY KEY (account, region, alias_name)
);

-- ListAliases with a KeyId filter, and DeleteKey removing a key's aliases.
CREATE INDEX aliases_by_target ON aliases (target_key_id);

CREATE TABLE tags (
  key_id    TEXT NOT NULL REFERENCES keys (key_id),
  tag_key   TEXT NOT NULL,
  tag_value TEXT NOT NULL,
  PRIMARY KEY (key_id, tag_key)
);
