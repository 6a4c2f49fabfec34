package org.hsmkms.store;

import java.time.Instant;

/**
 * An alias: a friendly name ({@code alias/...}) pointing at one key, scoped to an account and
 * region.
 */
public record AliasRecord(
    String account,
    String region,
    String aliasName,
    String targetKeyId,
    Instant creationDate,
    Instant lastUpdatedDate) {}
