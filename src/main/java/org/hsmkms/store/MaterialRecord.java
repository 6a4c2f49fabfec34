package org.hsmkms.store;

import java.time.Instant;

/**
 * One version of a key's material: the HSM object with {@code CKA_ID = materialId}. Old versions
 * stay for Decrypt after rotation.
 */
public record MaterialRecord(String materialId, String keyId, Instant creationDate) {}
