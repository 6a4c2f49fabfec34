-- GetKeyLastUsage: the last successful cryptographic use of each key. Portable SQL only, as in V1.

-- One row per key that has been used. Written in batches by the service's periodic flush (never
-- once per request); a row is replaced only by a later use. No foreign key to keys: a row of a
-- deleted key is never read again (key ids are random and never reused), and a flush must not fail
-- because a key was deleted after its use.
CREATE TABLE key_last_usage (
  key_id     TEXT   NOT NULL PRIMARY KEY,
  -- One of the model's KeyLastUsageTrackingOperation values (Encrypt, Decrypt, ...).
  operation  TEXT   NOT NULL,
  used_at    BIGINT NOT NULL,
  -- The x-amzn-RequestId of the request that used the key.
  request_id TEXT   NOT NULL
);

-- When tracking began: one row (id 1), written by the first start of the service after this
-- version with the service's clock. A key made before it reports this time as its
-- TrackingStartDate; a key made after it, its creation date.
CREATE TABLE key_usage_tracking (
  id         INTEGER NOT NULL PRIMARY KEY,
  started_at BIGINT  NOT NULL
);
