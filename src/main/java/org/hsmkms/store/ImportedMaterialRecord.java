package org.hsmkms.store;

import java.time.Instant;

/**
 * What is known of a key's imported material (Origin EXTERNAL): its fingerprint, fixed by the first
 * import, and the expiration of the import now in effect. Whether the material is in the HSM is the
 * key's state (anything but PendingImport).
 *
 * @param keyId the key
 * @param fingerprint SHA-256 (hex) of the material's fingerprint made in the HSM; not secret
 * @param expirationModel AWS ExpirationModel of the last import
 * @param validTo when the material expires; null for KEY_MATERIAL_DOES_NOT_EXPIRE
 * @param importDate when the material was last imported
 */
public record ImportedMaterialRecord(
    String keyId,
    String fingerprint,
    String expirationModel,
    Instant validTo,
    Instant importDate) {}
