package org.hsmkms.store;

import java.time.Instant;

/**
 * One GetParametersForImport answer: the wrapping key it made and what its import token is bound
 * to. The token itself is never stored, only its SHA-256.
 *
 * @param tokenHash SHA-256 (hex) of the ImportToken
 * @param keyId the key the token may import into
 * @param wrappingKeyId the HSM id (hex) of the RSA wrapping key pair
 * @param wrappingAlgorithm AWS WrappingAlgorithm
 * @param wrappingKeySpec AWS WrappingKeySpec
 * @param validTo when the token and wrapping key expire (ParametersValidTo)
 * @param wrappingKeyDestroyed whether the expiry sweep has destroyed the wrapping key
 */
public record ImportParametersRecord(
    String tokenHash,
    String keyId,
    String wrappingKeyId,
    String wrappingAlgorithm,
    String wrappingKeySpec,
    Instant validTo,
    boolean wrappingKeyDestroyed) {}
