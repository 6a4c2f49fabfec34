package org.hsmkms.kms;

import java.time.Instant;
import java.util.List;

/**
 * What DescribeKey and CreateKey report about a key, in AWS's terms. The algorithm lists are empty
 * when they do not apply to the key (AWS then omits them). {@code expirationModel} and {@code
 * validTo} describe imported key material in use (null otherwise; validTo null when it does not
 * expire).
 */
public record KeyMetadata(
    String account,
    String keyId,
    String arn,
    Instant creationDate,
    boolean enabled,
    String description,
    String keyUsage,
    String keyState,
    Instant deletionDate,
    String origin,
    String keySpec,
    List<String> encryptionAlgorithms,
    List<String> signingAlgorithms,
    List<String> macAlgorithms,
    List<String> keyAgreementAlgorithms,
    String expirationModel,
    Instant validTo) {}
