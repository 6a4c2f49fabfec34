-- Multi-Region keys (ReplicateKey, UpdatePrimaryRegion). Portable SQL only, as in V1.
--
-- A multi-Region key mrk-<32 hex> has one row in keys per region, with the row id
-- 'mrk-<hex>/<region>'; clients only ever see 'mrk-<hex>'. The rows share the HSM objects of the
-- key material, whose key_materials rows belong to the primary's row (UpdatePrimaryRegion moves
-- them). This table holds what the regions share: the owning account and the primary region.
-- No foreign key to keys: the row outlives any one region's row and goes with the last one.
CREATE TABLE multi_region_keys (
  mrk_id         TEXT NOT NULL PRIMARY KEY,
  account        TEXT NOT NULL,
  primary_region TEXT NOT NULL
);
